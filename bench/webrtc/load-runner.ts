import { join } from 'node:path';
import { ROOT } from '../lib/paths.js';
import { start, waitJson, type Child } from '../lib/procs.js';
import type { WebRtcLoadConfig, WebRtcLoadResult } from './load-config.js';

/** Runs a TypeScript entry of this folder through vite-node, pinned to `core` (if given), with `env` added. */
export function startScript(name: string, file: string, core: number | undefined, env: Record<string, string>): Child {
  const viteNode = join(ROOT, 'node_modules', 'vite-node', 'vite-node.mjs');
  return start(name, process.execPath, [viteNode, join(ROOT, 'bench', 'webrtc', file)], { ...(core !== undefined ? { core } : {}), pipeStdout: true, inheritStderr: true, cwd: ROOT, env: { ...process.env, ...env } });
}

/**
 * Runs fanout-load.ts pinned to `core` and resolves with its result line; `onResult` runs the
 * moment the line arrives, before the viewers hang up. Transpiling costs only before the window.
 */
export async function runWebRtcLoad(config: WebRtcLoadConfig, core: number, onResult?: () => void): Promise<WebRtcLoadResult> {
  const child = startScript('webrtc load generator', 'fanout-load.ts', core, { ZENLIVE_BENCH_WEBRTC_LOAD: JSON.stringify(config) });
  try {
    // a DTLS handshake per viewer on a single-core server: allow ~100 ms each before giving up
    const budgetMs = 60_000 + config.subscribers * 100 + (config.warmupSeconds + config.windowSeconds) * 1000 + 5000;
    const out = await waitJson<WebRtcLoadResult | { event: 'error'; message: string }>(child, budgetMs, (o) => o['event'] === 'result' || o['event'] === 'error');
    if (out.event === 'error') throw new Error(`load generator failed: ${out.message}`);
    onResult?.();
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 5000))]);
    return out;
  } finally {
    await child.stop(3000);
  }
}
