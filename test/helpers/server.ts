import { createZenLive, type ZenLive, type ZenLiveConfigInput, type ZenLiveOptions } from '../../src/index.js';
import { silentLogger } from '../../src/base/index.js';

/** A ZenLive on free ports of 127.0.0.1, with URL helpers; always `stop()` it in afterEach/finally. */
export interface TestServer {
  live: ZenLive;
  rtmpUrl(key: string): string;
  flvUrl(id: string): string;
  wsUrl(id: string): string;
  httpUrl(path: string): string;
  stop(): Promise<void>;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && b !== null && typeof b === 'object' ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export async function startTestServer(config: ZenLiveConfigInput = {}, options: ZenLiveOptions = {}): Promise<TestServer> {
  const base = {
    server: { host: '127.0.0.1', http_port: 0, shutdown_timeout_seconds: 3 },
    streaming: { rtmp: { port: 0 }, enable_hls: false },
    chat: { enabled: false },
    logging: { level: 'silent' },
  };
  const live = await createZenLive(merge(base, config as Record<string, unknown>) as ZenLiveConfigInput, { logger: silentLogger(), ...options });
  await live.start();
  const rtmp = live.rtmpPort;
  const http = live.httpPort;
  return {
    live,
    rtmpUrl: (key) => `rtmp://127.0.0.1:${rtmp}/live/${key}`,
    flvUrl: (id) => `http://127.0.0.1:${http}/live/${id}.flv`,
    wsUrl: (id) => `ws://127.0.0.1:${http}/live/${id}.flv`,
    httpUrl: (path) => `http://127.0.0.1:${http}${path}`,
    stop: () => live.stop(),
  };
}

/** Resolves when `check` returns true, polling; rejects with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
