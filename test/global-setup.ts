import { spawnSync } from 'node:child_process';

/**
 * Builds dist/ once per run so CLI tests exercise the current source, as `npx zenlive` would.
 * Type errors are the type-check step's to report (tsc still emits JavaScript with them); only a
 * build that could not run at all stops the tests here.
 */
export default function setup(): void {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: ['ignore', 'ignore', 'inherit'] });
  // tsc: 0 built cleanly, 2 built with type errors; anything else means nothing usable was emitted.
  if (r.status !== 0 && r.status !== 2) throw new Error(`building dist/ failed (tsc exit ${String(r.status)})`);
}
