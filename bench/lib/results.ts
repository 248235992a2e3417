import { writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { ensureDir, RESULTS } from './paths.js';

/** The machine a result was measured on: numbers only compare on the same kind. */
export function machineInfo(): { cores: number; cpu_model: string; node: string; kernel: string } {
  const list = cpus();
  return { cores: list.length, cpu_model: list[0]?.model.trim() ?? 'unknown', node: process.version, kernel: release() };
}

/**
 * Prints `result` as the one JSON line on stdout and saves it as bench/results/NAME-DATE.json;
 * returns the file written.
 */
export function publishResult(name: string, result: { date: string } & Record<string, unknown>): string {
  const line = JSON.stringify(result);
  process.stdout.write(`${line}\n`);
  const file = join(ensureDir(RESULTS), `${name}-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(`${name}: result written to ${file}\n`);
  return file;
}

/** Rounds to `digits` decimals for readable JSON. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
