import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The repository's vitest config runs src/ and test/ only; the bench's own tests run with this one:
//   npx vitest run --config bench/webrtc/vitest.config.ts
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['bench/webrtc/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
