import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { treeRssMb } from '../lib/cpu.js';
import { ensureDir, ROOT, WORK } from '../lib/paths.js';
import { start, waitJson, type Child } from '../lib/procs.js';
import { ZENLIVE_BUILD, type ZenLiveVariant } from '../lib/servers.js';

/** The node flags of the `zenlive` command's shebang (as lib/servers.ts runs it). */
const ZENLIVE_NODE_FLAGS = ['--max-semi-space-size=1'];

/**
 * What the bench turns on beside lib/servers.ts's base config: WHIP/WHEP on loopback only, with
 * the OS picking each peer's UDP port (min = max), since the default range of 101 ports cannot
 * hold hundreds of viewers. Video-only publishers, so no audio transcoder either way.
 */
export const WEBRTC_BENCH_CONFIG = {
  streaming: {
    enable_webrtc: true,
    webrtc: { bind_address: '127.0.0.1', udp_port_min: 0, udp_port_max: 0, transcode_whip_audio: false },
  },
};

/** A ZenLive process with WHIP/WHEP on, and where its HTTP (WHIP/WHEP) listens. */
export interface WebRtcServer {
  child: Child;
  pid: number;
  httpPort: number;
  logFile: string;
  /** Resident memory of the server's process tree now. */
  rssMb(): number;
  stop(): Promise<void>;
}

/** How to run ZenLive: a variant (lib/servers.ts) and, to CPU-profile the window, where the profile goes. */
export interface WebRtcServerVariant extends ZenLiveVariant {
  profileFile?: string;
}

/** `over` merged into `base`, objects key by key, anything else replaced (as zenlive-server.mjs merges). */
function merge(base: unknown, over: unknown): unknown {
  if (typeof base !== 'object' || base === null || typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out;
}

/**
 * Starts bench/servers/zenlive-server.mjs pinned to `core` with WEBRTC_BENCH_CONFIG (plus the
 * variant's overlay). lib/servers.ts's startServer reports only the RTMP port, so this reads the
 * HTTP port from the same ready line itself.
 */
export async function startWebRtcServer(core: number | string, tag: string, variant: WebRtcServerVariant = {}): Promise<WebRtcServer> {
  const logFile = join(ensureDir(join(WORK, 'logs')), `zenlive-${tag}.log`);
  writeFileSync(logFile, '');
  const config = merge(WEBRTC_BENCH_CONFIG, variant.config ?? {});
  const args = [...(variant.nodeFlags ?? ZENLIVE_NODE_FLAGS), join(ROOT, 'bench', 'servers', 'zenlive-server.mjs'), '--log', logFile, '--dist', variant.dist ?? ZENLIVE_BUILD, '--config', JSON.stringify(config)];
  if (variant.profileFile !== undefined) args.push('--profile', variant.profileFile);
  const child = start('zenlive', process.execPath, args, { core, pipeStdout: true, inheritStderr: true, cwd: ROOT, env: { ...process.env, ...variant.env } });
  const ready = await waitJson<{ http_port: number }>(child, 20_000, (o) => typeof o['http_port'] === 'number');
  return { child, pid: child.pid, httpPort: ready.http_port, logFile, rssMb: () => treeRssMb(child.pid), stop: () => child.stop(8000) };
}
