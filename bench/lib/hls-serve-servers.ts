/**
 * The four HTTP servers bench/hls-serve.ts compares, each started pinned to the server core on a
 * port of 127.0.0.1 found at run time:
 *
 * - `zenlive`: the compiled build with HLS on, through bench/servers/zenlive-server.mjs (the same
 *   runner the RTMP benches use), serving a live stream from its HLS fast path;
 * - `nginx`: a static file server with one worker, serving a snapshot of ZenLive's playlist and
 *   one of its segments from disk (nginxHttpConf below: production settings);
 * - `nginx-nosendfile`: the same with `sendfile off` (nginx reads the file into its buffers and
 *   writes them, copying as a Node server must): separates what sendfile's zero-copy is worth;
 * - `node-http` and `fastify`: bench/servers/hls-serve-bare.mjs serving the same snapshot from
 *   memory with ZenLive's headers: what the fast path costs next to doing nothing else.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, ROOT, WORK } from './paths.js';
import { freePort, waitForPort } from './ports.js';
import { start, waitJson, type Child } from './procs.js';
import { buildZenLiveAt } from './servers.js';

export type HttpServerKind = 'zenlive' | 'nginx' | 'nginx-nosendfile' | 'node-http' | 'fastify';
export const HTTP_SERVER_KINDS: readonly HttpServerKind[] = ['zenlive', 'nginx', 'nginx-nosendfile', 'node-http', 'fastify'];

/** A running HTTP server under test. */
export interface HttpServer {
  kind: HttpServerKind;
  child: Child;
  /** The root of the process tree we measure. */
  pid: number;
  port: number;
  logFile: string;
  stop(): Promise<void>;
}

/** A ZenLive under test also takes RTMP (its publisher). */
export interface ZenLiveHls extends HttpServer {
  rtmpPort: number;
}

/**
 * Scratch space of this run (the private build, nginx's document root, prefixes and configs):
 * one directory per run, so two runs at once (another session on the same checkout) cannot
 * overwrite each other's files. The orchestrator removes it at the end.
 */
export const RUN_DIR = join(WORK, 'hls-serve', `run-${process.pid}`);

function logFileFor(name: string): string {
  const file = join(ensureDir(join(WORK, 'logs')), `hls-serve-${process.pid}-${name}.log`);
  writeFileSync(file, '');
  return file;
}

/**
 * Compiles src/ (tsconfig.build.json, as `npm run build` does) into a directory of its own,
 * so another engineer rebuilding dist/ mid-run cannot change the server under test. The build
 * finds web/ (the watch page template) one level above itself: it gets a link to the real one.
 */
export async function buildZenLiveInto(outDir: string): Promise<string> {
  return buildZenLiveAt(outDir);
}

/** How to run ZenLive. */
export interface ZenLiveOptions {
  core: number;
  tag: string;
  /** A compiled build (directory holding index.js). */
  dist: string;
  /** Merged over the runner's config (HLS is switched on before this overlay). */
  config?: Record<string, unknown>;
  nodeFlags?: string[];
  /** CPU profile file written between two SIGUSR2 (zenlive-server.mjs `--profile`). */
  profileFile?: string;
}

/** Starts ZenLive with HLS enabled; resolves once it listens. */
export async function startZenLiveHls(o: ZenLiveOptions): Promise<ZenLiveHls> {
  const logFile = logFileFor(`zenlive-${o.tag}`);
  const config = mergeConfig({ streaming: { enable_hls: true } }, o.config ?? {});
  const args = [...(o.nodeFlags ?? []), join(ROOT, 'bench', 'servers', 'zenlive-server.mjs'), '--log', logFile, '--dist', o.dist, '--config', JSON.stringify(config)];
  if (o.profileFile !== undefined) args.push('--profile', o.profileFile);
  const child = start('zenlive', process.execPath, args, { core: o.core, pipeStdout: true, inheritStderr: true, cwd: ROOT });
  try {
    const ready = await waitJson<{ rtmp_port: number; http_port: number }>(child, 30_000, (x) => typeof x['http_port'] === 'number');
    return { kind: 'zenlive', child, pid: child.pid, port: ready.http_port, rtmpPort: ready.rtmp_port, logFile, stop: () => child.stop(8000) };
  } catch (err) {
    await child.stop(2000);
    throw err;
  }
}

function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const bothObjects = typeof b === 'object' && b !== null && !Array.isArray(b) && typeof v === 'object' && v !== null && !Array.isArray(v);
    out[k] = bothObjects ? mergeConfig(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * The nginx http block the bench uses, for `root` on `port`: one worker, sendfile, open file
 * cache, no access log, keep-alive with a generous request cap, MIME types from a `types` block
 * and ZenLive's Cache-Control and CORS headers via add_header. ETag and Last-Modified stay on
 * (nginx's defaults), as a production static server sends them.
 */
export function nginxHttpConf(root: string, port: number, prefix: string, logFile: string, sendfile = true): string {
  return `daemon off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid ${join(prefix, 'nginx.pid')};
error_log ${logFile} warn;
events { worker_connections 4096; }
http {
  types {
    application/vnd.apple.mpegurl m3u8;
    video/mp4 mp4 m4s;
  }
  default_type application/octet-stream;
  sendfile ${sendfile ? 'on' : 'off'};
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 100000;
  access_log off;
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
  open_file_cache_errors on;
  client_body_temp_path ${join(prefix, 'client_body')};
  proxy_temp_path ${join(prefix, 'proxy')};
  fastcgi_temp_path ${join(prefix, 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'uwsgi')};
  scgi_temp_path ${join(prefix, 'scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location ~ \\.m3u8$ {
      add_header Cache-Control "public, max-age=1";
      add_header Access-Control-Allow-Origin "*";
    }
    location ~ \\.m4s$ {
      add_header Cache-Control "public, max-age=31536000, immutable";
      add_header Access-Control-Allow-Origin "*";
    }
  }
}
`;
}

/** Starts nginx (master + one worker, both pinned) serving `root`; resolves once it accepts connections. */
export async function startNginxStatic(o: { core: number; root: string; sendfile: boolean }): Promise<HttpServer & { conf: string }> {
  const kind: HttpServerKind = o.sendfile ? 'nginx' : 'nginx-nosendfile';
  const port = await freePort();
  const prefix = ensureDir(join(RUN_DIR, kind));
  const logFile = logFileFor(kind);
  const conf = nginxHttpConf(o.root, port, prefix, logFile, o.sendfile);
  const confFile = join(RUN_DIR, `${kind}.conf`);
  writeFileSync(confFile, conf);
  const child = start('nginx', 'nginx', ['-p', prefix, '-e', logFile, '-c', confFile], { core: o.core, logFile });
  try {
    await waitForPort(port);
  } catch (err) {
    await child.stop(2000);
    throw err;
  }
  return { kind, child, pid: child.pid, port, logFile, conf, stop: () => child.stop(5000) };
}

/** Starts bench/servers/hls-serve-bare.mjs in `mode`, serving `files` (paths under `root`). */
export async function startBare(mode: 'node-http' | 'fastify', o: { core: number; root: string; files: string[] }): Promise<HttpServer> {
  const logFile = logFileFor(mode);
  const args = [join(ROOT, 'bench', 'servers', 'hls-serve-bare.mjs'), '--mode', mode === 'node-http' ? 'http' : 'fastify', '--root', o.root, '--files', o.files.join(',')];
  const child = start(mode, process.execPath, args, { core: o.core, pipeStdout: true, inheritStderr: true, cwd: ROOT });
  try {
    const ready = await waitJson<{ http_port: number }>(child, 20_000, (x) => typeof x['http_port'] === 'number');
    return { kind: mode, child, pid: child.pid, port: ready.http_port, logFile, stop: () => child.stop(3000) };
  } catch (err) {
    await child.stop(2000);
    throw err;
  }
}
