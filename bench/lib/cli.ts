import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SERVER_KINDS, type ServerKind, type ZenLiveVariant } from './servers.js';

/** Options both orchestrators take besides their own. */
export const COMMON_OPTIONS = {
  window: { type: 'string', default: process.env['BENCH_WINDOW'] ?? '20' },
  servers: { type: 'string', default: process.env['BENCH_SERVERS'] ?? SERVER_KINDS.join(',') },
  repeat: { type: 'string', default: '1' },
  profile: { type: 'boolean', default: false },
  // This machine is shared: wait before each cell until all cores together use at most
  // quiet-percent of one core (for at most quiet-wait s), and measure a cell again (retries)
  // when others used the server's core during its window.
  'quiet-percent': { type: 'string', default: '15' },
  'quiet-wait': { type: 'string', default: '600' },
  retries: { type: 'string', default: '2' },
  // A ZenLive variant, to measure a change before it lands: see ZenLiveVariant.
  'zenlive-dist': { type: 'string' },
  'zenlive-config': { type: 'string' },
  'zenlive-node-flags': { type: 'string' },
  'zenlive-env': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Parses argv (a `--` from `vite-node file -- args` is skipped) with `options`. */
export function parseCli<O extends NonNullable<ParseArgsConfig['options']>>(options: O): ReturnType<typeof parseArgs<{ options: O; args: string[] }>>['values'] {
  return parseArgs({ options, args: process.argv.slice(2).filter((a) => a !== '--') }).values;
}

/** `zenlive,nms` → checked server kinds. */
export function serverList(csv: string): ServerKind[] {
  const servers = csv.split(',').map((s) => s.trim()) as ServerKind[];
  for (const s of servers) if (!SERVER_KINDS.includes(s)) throw new Error(`unknown server ${s}; expected ${SERVER_KINDS.join(', ')}`);
  return servers;
}

/** The ZenLive variant the --zenlive-* options describe, or undefined for the plain build. */
export function zenliveVariant(v: { 'zenlive-dist'?: string; 'zenlive-config'?: string; 'zenlive-node-flags'?: string; 'zenlive-env'?: string }): ZenLiveVariant | undefined {
  const out: ZenLiveVariant = {};
  if (v['zenlive-dist'] !== undefined) out.dist = v['zenlive-dist'];
  if (v['zenlive-config'] !== undefined) out.config = JSON.parse(v['zenlive-config']) as Record<string, unknown>;
  if (v['zenlive-node-flags'] !== undefined) out.nodeFlags = v['zenlive-node-flags'].split(/\s+/).filter(Boolean);
  if (v['zenlive-env'] !== undefined) out.env = Object.fromEntries(v['zenlive-env'].split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return Object.keys(out).length === 0 ? undefined : out;
}
