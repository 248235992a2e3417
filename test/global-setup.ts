import { execFileSync } from 'node:child_process';

/** Builds dist/ once per run so CLI tests exercise the current source, as `npx zenlive` would. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
