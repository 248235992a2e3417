import { join } from 'node:path';
import type { LoadConfig, LoadResult } from './load.js';
import { ROOT } from './paths.js';
import { start, waitJson, type Child } from './procs.js';

/**
 * Runs the load generator (load.ts, through vite-node) pinned to `core`, and resolves with its
 * result line; `onResult` runs the moment that line arrives, before the players hang up.
 * Transpiling costs only at start-up, before the measurement window.
 */
export async function runLoad(config: LoadConfig, core: number, onResult?: () => void): Promise<LoadResult> {
  const viteNode = join(ROOT, 'node_modules', 'vite-node', 'vite-node.mjs');
  const child: Child = start('load generator', process.execPath, [viteNode, join(ROOT, 'bench', 'lib', 'load.ts')], {
    core,
    pipeStdout: true,
    inheritStderr: true,
    cwd: ROOT,
    env: { ...process.env, ZENLIVE_BENCH_LOAD: JSON.stringify(config) },
  });
  try {
    // Connecting is ~4-8 s per 1000 players; allow for a slow server before giving up.
    const budgetMs = 60_000 + config.players * 60 + (config.warmupSeconds + config.windowSeconds) * 1000;
    const out = await waitJson<LoadResult | { event: 'error'; message: string }>(child, budgetMs, (o) => o['event'] === 'result' || o['event'] === 'error');
    if (out.event === 'error') throw new Error(`load generator failed: ${out.message}`);
    onResult?.();
    // Let it close its players politely, so servers log no storm of resets.
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 5000))]);
    return out;
  } finally {
    await child.stop(3000);
  }
}
