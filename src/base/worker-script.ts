import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The file a worker thread runs, and the node flags it needs. */
export interface WorkerScript {
  filename: URL;
  execArgv: string[];
}

const TS_LOADER = new URL('../../scripts/ts-worker-loader.mjs', import.meta.url);

/**
 * Resolves a worker's entry (`new URL('./x.js', import.meta.url)` from the calling module). An
 * installed or built package runs the compiled `.js`. Running from the TypeScript sources (tests,
 * `vite-node`), only `x.ts` exists: the worker then gets a small loader that compiles TypeScript
 * as it is imported, since a worker does not share the parent's transform.
 */
export function workerScript(entry: URL): WorkerScript {
  if (existsSync(fileURLToPath(entry))) return { filename: entry, execArgv: process.execArgv };
  const source = new URL(entry.href.replace(/\.js$/, '.ts'));
  if (!existsSync(fileURLToPath(source))) throw new Error(`worker script ${fileURLToPath(entry)} not found`);
  if (!existsSync(fileURLToPath(TS_LOADER))) throw new Error(`${fileURLToPath(source)} needs ${fileURLToPath(TS_LOADER)} to run as a worker`);
  return { filename: source, execArgv: [...process.execArgv, '--import', TS_LOADER.href] };
}
