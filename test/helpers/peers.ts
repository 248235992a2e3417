import { execFileSync } from 'node:child_process';

/** Fails loudly when a real peer the test needs is not installed: such tests never skip. */
export function requireBinary(name: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed; run scripts/provision.sh (the test command does) to install the test peers`);
  }
}
