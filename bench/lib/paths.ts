import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib is two levels below it). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Scratch space for clips, configs, logs and profiles; git-ignored. */
export const WORK = join(ROOT, 'bench', '.work');
/** Where each run leaves its JSON result. */
export const RESULTS = join(ROOT, 'bench', 'results');

/** Creates `dir` (and parents) and returns it. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
