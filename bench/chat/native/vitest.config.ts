import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The repository's vitest config only looks in src/ and test/; the native reader's tests run with
// `npx vitest run -c bench/chat/native/vitest.config.ts`.
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['bench/chat/native/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
