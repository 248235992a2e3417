import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureDir, ROOT, WORK } from './paths.js';
import { freePort, waitForPort } from './ports.js';
import { run, start, waitJson, type Child } from './procs.js';

/** The node flags of the `zenlive` command's shebang, so the benchmark measures ZenLive as users run it. */
const ZENLIVE_NODE_FLAGS = ['--max-semi-space-size=1'];

/** The servers a benchmark compares. */
export type ServerKind = 'zenlive' | 'nms' | 'nginx';
export const SERVER_KINDS: readonly ServerKind[] = ['zenlive', 'nms', 'nginx'];

/** A running server under test: the process to measure and where it takes RTMP. */
export interface ServerUnderTest {
  kind: ServerKind;
  child: Child;
  /** The process whose tree we measure (the server itself, not a wrapper). */
  pid: number;
  rtmpPort: number;
  /** The server's own log file (ZenLive at warn level, nginx's error_log, NMS's stdout). */
  logFile: string;
  stop(): Promise<void>;
}

/** How a server is started: the core it is pinned to, and whether to CPU-profile it (ZenLive only). */
export interface ServerStartOptions {
  core: number;
  /** Where ZenLive writes the CPU profile of the window marked by two SIGUSR2 (zenlive-server.mjs). */
  cpuProfileFile?: string;
  /** A tag for file names, e.g. `n1000`. */
  tag: string;
  /** How to run ZenLive when not as built from src/ with the bench's config. */
  zenlive?: ZenLiveVariant;
}

/** A ZenLive other than the bench's build of src/: another dist, a config overlay, node flags, environment. */
export interface ZenLiveVariant {
  dist?: string;
  config?: Record<string, unknown>;
  nodeFlags?: string[];
  env?: Record<string, string>;
}

const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

/** Installs what a fresh machine lacks (ffmpeg, nginx, the rtmp module) through the project's script. */
export async function provision(): Promise<void> {
  await run('bash', [join(ROOT, 'scripts', 'provision.sh')], { env: { ...process.env, PROVISION_BENCH: '1' } });
  if (!existsSync(NGINX_RTMP_MODULE)) throw new Error(`${NGINX_RTMP_MODULE} is missing after provisioning`);
}

/** Where the RTMP benchmarks build ZenLive (a `dist/` of their own). */
export const ZENLIVE_BUILD = join(WORK, 'rtmp', 'dist');

/**
 * Compiles src/ as `npm run build` does (tsconfig.build.json), into ZENLIVE_BUILD rather than
 * dist/: engineers rebuild dist/ while they work, and a server must not load a half-written
 * file. No declarations (the repository's typecheck includes bench/). The build looks for the
 * watch page template in ../web and the native SRTP sender in ../native, so those get links to the real ones.
 */
export async function buildZenLive(): Promise<string> {
  return buildZenLiveAt(ZENLIVE_BUILD);
}

/** The same into `outDir`. */
export async function buildZenLiveAt(outDir: string): Promise<string> {
  await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir, '--declaration', 'false', '--sourceMap', 'false'], { cwd: ROOT });
  for (const [name, kind] of [['web', 'dir'], ['package.json', 'file'], ['native', 'dir']] as const) {
    // The build reads its version from ../package.json, its watch page from ../web and its native addon from ../native, as an installed package does.
    const link = join(dirname(outDir), name);
    if (!existsSync(link) && existsSync(join(ROOT, name))) symlinkSync(join(ROOT, name), link, kind);
  }
  return outDir;
}

/** Starts one server, pinned, and resolves once it accepts RTMP connections. */
export async function startServer(kind: ServerKind, options: ServerStartOptions): Promise<ServerUnderTest> {
  const logDir = ensureDir(join(WORK, 'logs'));
  const logFile = join(logDir, `${kind}-${options.tag}.log`);
  writeFileSync(logFile, '');
  if (kind === 'zenlive') return startZenLive(logFile, options);
  if (kind === 'nms') return startNms(logFile, options);
  return startNginx(logFile, options);
}

async function startZenLive(logFile: string, options: ServerStartOptions): Promise<ServerUnderTest> {
  const v = options.zenlive ?? {};
  // By default the same V8 flags the zenlive command runs with (its shebang, src/cli/main.ts).
  const args = [...(v.nodeFlags ?? ZENLIVE_NODE_FLAGS), join(ROOT, 'bench', 'servers', 'zenlive-server.mjs'), '--log', logFile];
  if (options.cpuProfileFile !== undefined) args.push('--profile', options.cpuProfileFile);
  args.push('--dist', v.dist ?? ZENLIVE_BUILD);
  if (v.config !== undefined) args.push('--config', JSON.stringify(v.config));
  const child = start('zenlive', process.execPath, args, { core: options.core, pipeStdout: true, inheritStderr: true, cwd: ROOT, env: { ...process.env, ...v.env } });
  const ready = await waitJson<{ rtmp_port: number }>(child, 20_000, (o) => typeof o['rtmp_port'] === 'number');
  return sut('zenlive', child, ready.rtmp_port, logFile, 8000);
}

async function startNms(logFile: string, options: ServerStartOptions): Promise<ServerUnderTest> {
  const port = await freePort();
  const data = ensureDir(join(WORK, 'nms-data'));
  const child = start('nms', process.execPath, [join(ROOT, 'bench', 'servers', 'nms-server.cjs'), '--rtmp-port', String(port), '--data', data], { core: options.core, logFile, cwd: WORK });
  await waitForPort(port);
  return sut('nms', child, port, logFile, 5000);
}

async function startNginx(logFile: string, options: ServerStartOptions): Promise<ServerUnderTest> {
  const port = await freePort();
  const prefix = ensureDir(join(WORK, 'nginx'));
  const conf = join(WORK, `nginx-${options.tag}.conf`);
  // One single-threaded process (no master) so the tree we measure is exactly the one that
  // serves; it behaves as a worker does. The module's defaults otherwise (GOP-less live, no
  // wait_key), as `apt install libnginx-mod-rtmp` users get them.
  writeFileSync(
    conf,
    `load_module ${NGINX_RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid ${join(prefix, 'nginx.pid')};
error_log ${logFile} warn;
events { worker_connections 8192; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live { live on; }
  }
}
`,
  );
  const child = start('nginx', 'nginx', ['-p', prefix, '-e', logFile, '-c', conf], { core: options.core, logFile });
  await waitForPort(port);
  return sut('nginx', child, port, logFile, 5000);
}

function sut(kind: ServerKind, child: Child, rtmpPort: number, logFile: string, graceMs: number): ServerUnderTest {
  return { kind, child, pid: child.pid, rtmpPort, logFile, stop: () => child.stop(graceMs) };
}
