/**
 * HLS serving benchmark: requests/s and server CPU for media-playlist and segment fetches from
 * many concurrent keep-alive clients, ZenLive's HLS fast path next to nginx serving the same
 * bytes from disk, and, for context, a bare node:http server and a bare Fastify route serving
 * them from memory with ZenLive's headers.
 *
 *   npx vite-node bench/hls-serve.ts
 *   npx vite-node bench/hls-serve.ts -- [--window 10] [--warmup 3] [--connections 100]
 *       [--threads 1] [--repeat 1] [--servers zenlive,nginx,nginx-nosendfile,node-http,fastify]
 *       [--resources playlist,segment] [--profile] [--quiet 15] [--quiet-wait 60] [--max-foreign 40] [--retries 2]
 *       [--zenlive-dist DIR]
 *       [--zenlive-config JSON] [--zenlive-node-flags FLAGS]
 *
 * How it runs (2 cores: 0 = servers, 1 = load):
 * 1. provisions what is missing (ffmpeg, nginx via scripts/provision.sh; wrk via apt-get), compiles
 *    src/ as `npm run build` does but into bench/.work/hls-serve/run-PID/dist (so a concurrent
 *    rebuild of dist/ cannot swap the server under test; each run has its own scratch directory,
 *    removed at the end, so two runs at once do not clobber each other), generates the bench
 *    clip once (lib/clip.ts);
 * 2. starts ZenLive (HLS on, defaults otherwise: fMP4, LL-HLS with 0.3 s parts, 2 s segments,
 *    12 s live window; the node flags scripts/start.sh uses, e.g. --max-semi-space-size=1, unless
 *    --zenlive-node-flags says otherwise) with `taskset -c 0`, and publishes the clip to it with
 *    ffmpeg `-re -stream_loop -1 -c copy` pinned to core 1; waits until the playlist has ≥ 2 segments
 *    and then until the live window is full (media sequence > 0), so the playlist is at its
 *    steady-state size;
 * 3. snapshots the media playlist and the newest complete segment into
 *    bench/.work/hls-serve/run-PID/www/live/bench/source/ and starts nginx (lib/hls-serve-servers.ts
 *    nginxHttpConf: 1 worker, sendfile, open_file_cache, access_log off, keep-alive, `types`,
 *    add_header Cache-Control + CORS), the same nginx with `sendfile off` (what zero-copy is
 *    worth: a Node server writes segments from memory and must copy), node:http and Fastify
 *    (bench/servers/hls-serve-bare.mjs) on core 0, all serving those bytes under the same URLs;
 *    checks each answers 200 with the right type and bytes;
 * 4. baseline: every server idle (ZenLive still ingesting and segmenting the live stream) for
 *    one window; its CPU rate is what "net" figures subtract;
 * 5. per repeat, per resource (playlist, then segment), per server: a warm-up wrk run (not
 *    counted), then `wrk -t1 -c100 -dWs --latency URL` pinned to core 1 with the server's CPU
 *    (utime+stime of its process tree from /proc) read just before and just after. ZenLive's
 *    segment run uses a segment completed just before it (a segment stays in the 12 s live
 *    window ~12 s, so keep --window ≤ 10); nginx and the bare servers serve the snapshot.
 *    Only one server is under load at a time; ZenLive keeps ingesting throughout (a few % of
 *    core 0, shown per run as `server_core_other_percent`). On a shared machine, each run first
 *    waits (up to --quiet-wait s) until processes outside this benchmark use under --quiet % of
 *    the two cores; `foreign_percent` says how much they used during the run (summed over both
 *    cores, up to 200), and a run with more than --max-foreign is measured again (--retries);
 * 6. with --profile, a separate ZenLive (fresh publish) is CPU-profiled over one playlist run
 *    (SIGUSR2 at the run's edges, zenlive-server.mjs `--profile`): top self-time functions and
 *    total time per function of src/protocols/hls/request-handler.ts.
 *
 * Per run: req/s, server CPU % of a core, requests per CPU-second (raw, and net of the server's
 * idle baseline rate × the run's wall time), for segments GiB of body per CPU-second, latency
 * percentiles, wrk's own CPU % (near 100 % means the load generator, not the server, limits
 * req/s; per-CPU-second figures stay valid). `summary` has medians over repeats and `ratios`
 * each server per CPU-second against nginx (and against nginx without sendfile), with the
 * issue's goals for ZenLive against nginx (playlist ≥ 0.7, segment ≥ 0.9). One JSON line on
 * stdout, also written to bench/results/hls-serve-DATE.json; progress on stderr; logs in
 * bench/.work/logs/hls-serve-*.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureClip, type ClipInfo } from './lib/clip.js';
import { treeCpuMs } from './lib/cpu.js';
import { parseCli } from './lib/cli.js';
import { checkResponse, freshSegment, get, parseMediaPlaylist, waitForPlaylist } from './lib/hls-serve-http.js';
import { totalTimes, type TotalTime } from './lib/hls-serve-profile.js';
import { buildZenLiveInto, HTTP_SERVER_KINDS, RUN_DIR, startBare, startNginxStatic, startZenLiveHls, type HttpServer, type HttpServerKind, type ZenLiveHls } from './lib/hls-serve-servers.js';
import { runWrk, waitQuiet, type WrkMeasurement } from './lib/hls-serve-wrk.js';
import { scanLog, type LogScan } from './lib/log-scan.js';
import { ensureDir, ROOT, WORK } from './lib/paths.js';
import { run, type Child } from './lib/procs.js';
import { summarize, type HotFunction } from './lib/profile.js';
import { startPublisher } from './lib/publisher.js';
import { machineInfo, publishResult, round } from './lib/results.js';
import { provision } from './lib/servers.js';
import { median } from './lib/summary.js';

const SERVER_CORE = 0;
const LOAD_CORE = 1;
const STREAM = 'bench';
const SOURCE_PATH = `/live/${STREAM}/source/`;
const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const SEGMENT_TYPE = 'video/mp4';
const GIB = 1024 ** 3;
// The issue's goals, per CPU-second against nginx.
const GOALS = { playlist: 0.7, segment: 0.9 } as const;

type Resource = 'playlist' | 'segment';

const log = (msg: string): boolean => process.stderr.write(`hls-serve: ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function options() {
  const v = parseCli({
    window: { type: 'string', default: process.env['BENCH_WINDOW'] ?? '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '100' },
    threads: { type: 'string', default: '1' },
    repeat: { type: 'string', default: '1' },
    servers: { type: 'string', default: HTTP_SERVER_KINDS.join(',') },
    resources: { type: 'string', default: 'playlist,segment' },
    profile: { type: 'boolean', default: false },
    quiet: { type: 'string', default: '15' },
    'quiet-wait': { type: 'string', default: '60' },
    'max-foreign': { type: 'string', default: '40' },
    retries: { type: 'string', default: '2' },
    'zenlive-dist': { type: 'string' },
    'zenlive-config': { type: 'string' },
    'zenlive-node-flags': { type: 'string' },
  });
  const servers = v.servers.split(',').map((s) => s.trim()) as HttpServerKind[];
  for (const s of servers) if (!HTTP_SERVER_KINDS.includes(s)) throw new Error(`unknown server ${s}; expected ${HTTP_SERVER_KINDS.join(', ')}`);
  if (!servers.includes('zenlive')) throw new Error('--servers must include zenlive (it makes the bytes the others serve)');
  const resources = v.resources.split(',').map((s) => s.trim()) as Resource[];
  for (const r of resources) if (r !== 'playlist' && r !== 'segment') throw new Error(`unknown resource ${r}; expected playlist, segment`);
  const windowS = Number(v.window);
  if (resources.includes('segment') && windowS > 10) log(`warning: --window ${windowS} > 10: ZenLive's segment may leave its 12 s live window mid-run (non-2xx responses mark the run invalid)`);
  return {
    windowS,
    warmupS: Number(v.warmup),
    connections: Number(v.connections),
    threads: Number(v.threads),
    repeat: Number(v.repeat),
    servers,
    resources,
    profile: v.profile,
    quietPercent: Number(v.quiet),
    quietWaitS: Number(v['quiet-wait']),
    maxForeign: Number(v['max-foreign']),
    retries: Number(v.retries),
    zenliveDist: v['zenlive-dist'],
    zenliveConfig: v['zenlive-config'] === undefined ? undefined : (JSON.parse(v['zenlive-config']) as Record<string, unknown>),
    // ZenLive runs with the V8 flags production uses unless told otherwise ('' for none).
    zenliveNodeFlags: v['zenlive-node-flags'] !== undefined ? v['zenlive-node-flags'].split(/\s+/).filter(Boolean) : productionNodeFlags(),
  };
}
type Options = ReturnType<typeof options>;

/**
 * The node flags scripts/start.sh runs the zenlive command with (`exec node FLAGS dist/cli/main.js`,
 * e.g. `--max-semi-space-size=1`, the same as src/cli/main.ts's shebang), so the server under test
 * runs as it does in production.
 */
function productionNodeFlags(): string[] {
  try {
    const m = /^exec node (.*?)\s*dist\/cli\/main\.js/m.exec(readFileSync(join(ROOT, 'scripts', 'start.sh'), 'utf8'));
    return m === null ? [] : (m[1] as string).split(/\s+/).filter((f) => f.startsWith('--'));
  } catch {
    return [];
  }
}

/** One measured wrk run against one server and resource. */
interface Row extends Record<string, unknown> {
  server: HttpServerKind;
  resource: Resource;
  run: number;
  path: string;
  body_bytes: number;
  /** Mean bytes per response wrk read, headers included (wrk's rounded total / requests). */
  response_bytes: number;
  requests: number;
  seconds: number;
  req_per_s: number;
  server_cpu_ms: number;
  server_cpu_percent: number;
  req_per_cpu_s: number;
  /** The server's idle CPU rate × this run's wall time. */
  baseline_cpu_ms: number;
  server_cpu_ms_net: number;
  req_per_cpu_s_net: number;
  gib_per_cpu_s?: number;
  gib_per_cpu_s_net?: number;
  gib_per_s?: number;
  latency_ms: WrkMeasurement['latencyMs'];
  socket_errors: WrkMeasurement['socketErrors'];
  non_2xx_3xx: number;
  valid: boolean;
  wrk_cpu_percent: number;
  /** Busy % of the server core not accounted to the server (ZenLive's ingest, other processes, IRQ time). */
  server_core_other_percent: number;
  load_core_busy_percent: number;
  /** Other people's load on the two cores (% summed over both, up to 200) just before and during the run. */
  foreign_before_percent: number;
  foreign_percent: number;
  /** 1 unless the run was repeated because others disturbed it (--max-foreign). */
  attempt?: number;
}

/** A server's CPU rate while idle (ZenLive: ingesting and segmenting its live stream). */
interface Baseline {
  cpu_ms: number;
  window_s: number;
  cpu_percent: number;
}

async function ensureWrk(): Promise<string> {
  const found = async (): Promise<boolean> => run('bash', ['-c', 'command -v wrk']).then(() => true, () => false);
  if (!(await found())) {
    if (process.getuid?.() !== 0) throw new Error('wrk is missing: apt-get install -y wrk');
    log('installing wrk (apt-get)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = (): Promise<string> => run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'wrk'], { env });
    await install().catch(async () => {
      await run('apt-get', ['update', '-qq'], { env });
      return install();
    });
  }
  const out = await run('bash', ['-c', 'wrk --version 2>&1 | head -1 || true']);
  return out.trim();
}

/** Waits for ≥ 2 segments, then for the live window to fill (media sequence > 0): a steady-state playlist. */
async function waitSteady(playlistUrl: string): Promise<void> {
  await waitForPlaylist(playlistUrl, (p) => p.segments.length >= 2, 'two segments', 40_000);
  log('playlist has 2 segments; waiting for the live window to fill');
  await waitForPlaylist(playlistUrl, (p) => p.mediaSequence > 0, 'full live window', 40_000);
}

/** A live ZenLive with a publisher, ready to serve a steady-state playlist. */
async function startLiveZenLive(o: Options, dist: string, clip: ClipInfo, tag: string, profileFile?: string): Promise<{ zen: ZenLiveHls; publisher: Child }> {
  const zen = await startZenLiveHls({
    core: SERVER_CORE,
    tag,
    dist,
    ...(o.zenliveConfig !== undefined ? { config: o.zenliveConfig } : {}),
    nodeFlags: o.zenliveNodeFlags,
    ...(profileFile !== undefined ? { profileFile } : {}),
  });
  const publisher = startPublisher({ clip: clip.path, url: `rtmp://127.0.0.1:${zen.rtmpPort}/live/${STREAM}`, core: LOAD_CORE, maxSeconds: 3600, logTag: `hls-serve-${tag}` });
  try {
    await waitSteady(`http://127.0.0.1:${zen.port}${SOURCE_PATH}index.m3u8`);
  } catch (err) {
    await publisher.stop(3000);
    await zen.stop();
    throw err;
  }
  return { zen, publisher };
}

function baselines(servers: HttpServer[], windowS: number): Promise<Map<HttpServerKind, Baseline>> {
  const t0 = performance.now();
  const c0 = servers.map((s) => treeCpuMs(s.pid));
  return sleep(windowS * 1000).then(() => {
    const wall = performance.now() - t0;
    const out = new Map<HttpServerKind, Baseline>();
    servers.forEach((s, i) => {
      const cpu = treeCpuMs(s.pid) - (c0[i] as number);
      out.set(s.kind, { cpu_ms: Math.round(cpu), window_s: round(wall / 1000, 2), cpu_percent: round((cpu / wall) * 100, 2) });
    });
    return out;
  });
}

function toRow(server: HttpServerKind, resource: Resource, runNo: number, path: string, bodyBytes: number, m: WrkMeasurement, base: Baseline, foreignBefore: number): Row {
  const baselineMs = (base.cpu_ms / (base.window_s * 1000)) * m.wallMs;
  const net = Math.max(1, m.serverCpuMs - baselineMs);
  const cpuS = Math.max(1, m.serverCpuMs) / 1000;
  const row: Row = {
    server,
    resource,
    run: runNo,
    path,
    body_bytes: bodyBytes,
    response_bytes: m.requests > 0 ? Math.round(m.readBytes / m.requests) : 0,
    requests: m.requests,
    seconds: round(m.seconds, 2),
    req_per_s: Math.round(m.requests / m.seconds),
    server_cpu_ms: Math.round(m.serverCpuMs),
    server_cpu_percent: round((m.serverCpuMs / m.wallMs) * 100, 1),
    req_per_cpu_s: Math.round(m.requests / cpuS),
    baseline_cpu_ms: Math.round(baselineMs),
    server_cpu_ms_net: Math.round(net),
    req_per_cpu_s_net: Math.round(m.requests / (net / 1000)),
    latency_ms: m.latencyMs,
    socket_errors: m.socketErrors,
    non_2xx_3xx: m.non2xx3xx,
    valid: m.non2xx3xx === 0 && m.socketErrors.connect + m.socketErrors.read + m.socketErrors.write + m.socketErrors.timeout === 0,
    wrk_cpu_percent: round((m.wrkCpuMs / m.wallMs) * 100, 1),
    server_core_other_percent: round(m.serverCoreBusyPercent - (m.serverCpuMs / m.wallMs) * 100, 1),
    load_core_busy_percent: round(m.loadCoreBusyPercent, 1),
    foreign_before_percent: round(foreignBefore, 1),
    foreign_percent: round(m.foreignPercent, 1),
  };
  if (resource === 'segment') {
    const bytes = m.requests * bodyBytes;
    row.gib_per_cpu_s = round(bytes / GIB / cpuS, 3);
    row.gib_per_cpu_s_net = round(bytes / GIB / (net / 1000), 3);
    row.gib_per_s = round(bytes / GIB / m.seconds, 3);
  }
  return row;
}

function describe(r: Row): string {
  const per = r.resource === 'segment' ? `${r.gib_per_cpu_s} GiB/CPU-s (net ${r.gib_per_cpu_s_net})` : `${r.req_per_cpu_s} req/CPU-s (net ${r.req_per_cpu_s_net})`;
  return `${r.server} ${r.resource} #${r.run}: ${r.req_per_s} req/s, CPU ${r.server_cpu_percent} %, ${per}, p99 ${r.latency_ms.p99} ms, wrk ${r.wrk_cpu_percent} %, foreign ${r.foreign_percent} %${r.valid ? '' : ` INVALID (non-2xx ${r.non_2xx_3xx}, socket errors ${JSON.stringify(r.socket_errors)})`}`;
}

const SUMMARY_FIELDS = ['req_per_s', 'server_cpu_percent', 'req_per_cpu_s', 'req_per_cpu_s_net', 'gib_per_cpu_s', 'gib_per_cpu_s_net', 'gib_per_s', 'body_bytes', 'response_bytes', 'wrk_cpu_percent', 'server_core_other_percent', 'foreign_percent'] as const;

const RANGE_FIELDS: readonly string[] = ['req_per_s', 'req_per_cpu_s', 'req_per_cpu_s_net', 'gib_per_cpu_s', 'gib_per_cpu_s_net'];

/** Medians (each field on its own) over the valid repeats of each (server, resource). */
function summaryOf(rows: Row[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const keys = [...new Set(rows.map((r) => `${r.resource}|${r.server}`))];
  for (const key of keys) {
    const group = rows.filter((r) => `${r.resource}|${r.server}` === key);
    const valid = group.filter((r) => r.valid);
    const use = valid.length > 0 ? valid : group;
    const first = group[0] as Row;
    const s: Record<string, unknown> = { resource: first.resource, server: first.server, runs: group.length, valid_runs: valid.length };
    for (const f of SUMMARY_FIELDS) {
      const xs = use.map((r) => r[f]).filter((x): x is number => typeof x === 'number');
      if (xs.length === 0) continue;
      s[f] = median(xs);
      // How far single runs spread on this (shared) machine: [min, max].
      if (RANGE_FIELDS.includes(f)) s[`${f}_range`] = [Math.min(...xs), Math.max(...xs)];
    }
    s['latency_p99_ms'] = median(use.map((r) => r.latency_ms.p99));
    out.push(s);
  }
  return out;
}

/** The servers ratios are taken against: nginx as configured (sendfile on), and without sendfile. */
const REFERENCES = ['nginx', 'nginx-nosendfile'] as const;

interface Ratio {
  raw: number;
  net: number;
  req_per_s: number;
}

/**
 * Each server per CPU-second against each reference: req/CPU-s for playlists, GiB/CPU-s for
 * segments; `zenlive_goal` checks the issue's goals against nginx (sendfile on).
 */
function ratiosOf(summary: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const resource of ['playlist', 'segment'] as const) {
    const [raw, net] = resource === 'playlist' ? (['req_per_cpu_s', 'req_per_cpu_s_net'] as const) : (['gib_per_cpu_s', 'gib_per_cpu_s_net'] as const);
    const per: Record<string, unknown> = { metric: raw };
    for (const ref of REFERENCES) {
      const r0 = summary.find((s) => s['resource'] === resource && s['server'] === ref);
      if (r0 === undefined) continue;
      const vs: Record<string, Ratio> = {};
      for (const s of summary.filter((x) => x['resource'] === resource && x['server'] !== ref)) {
        vs[s['server'] as string] = { raw: round(Number(s[raw]) / Number(r0[raw]), 3), net: round(Number(s[net]) / Number(r0[net]), 3), req_per_s: round(Number(s['req_per_s']) / Number(r0['req_per_s']), 3) };
      }
      per[`vs_${ref.replace('-', '_')}`] = vs;
    }
    const z = (per['vs_nginx'] as Record<string, Ratio> | undefined)?.['zenlive'];
    if (z !== undefined) per['zenlive_goal'] = { vs: 'nginx', at_least: GOALS[resource], met_raw: z.raw >= GOALS[resource], met_net: z.net >= GOALS[resource] };
    out[resource] = per;
  }
  return out;
}

function table(summary: Record<string, unknown>[], ratios: Record<string, unknown>): string {
  const lines = ['resource  server            req/s   CPU%  req/CPU-s (net)   GiB/CPU-s (net)   ×nginx raw (net)  ×nginx-nosendfile raw (net)'];
  for (const s of summary) {
    const resource = s['resource'] as Resource;
    const server = s['server'] as string;
    const per = ratios[resource] as Record<string, Record<string, Ratio> | undefined> | undefined;
    const cell = (ref: string): string => {
      if (server === ref) return '1';
      const r = per?.[`vs_${ref.replace('-', '_')}`]?.[server];
      return r === undefined ? '' : `${r.raw} (${r.net})`;
    };
    const gib = resource === 'segment' ? `${s['gib_per_cpu_s']} (${s['gib_per_cpu_s_net']})` : '';
    lines.push(
      `${resource.padEnd(9)} ${server.padEnd(17)} ${String(s['req_per_s']).padStart(6)} ${String(s['server_cpu_percent']).padStart(6)}  ${`${s['req_per_cpu_s']} (${s['req_per_cpu_s_net']})`.padEnd(17)} ${gib.padEnd(17)} ${cell('nginx').padEnd(17)} ${cell('nginx-nosendfile')}`,
    );
  }
  return lines.join('\n');
}

/** One cell: wait for a quiet machine, warm up, then one measured wrk run on `s` for `resource`. */
async function measure(o: Options, s: HttpServer, resource: Resource, runNo: number, segName: string, base: Baseline): Promise<Row> {
  const root = `http://127.0.0.1:${s.port}${SOURCE_PATH}`;
  const fixed = resource === 'playlist' ? 'index.m3u8' : segName;
  const tag = `${s.kind}-${resource}`;
  const wrk = { core: LOAD_CORE, serverCore: SERVER_CORE, threads: o.threads, connections: o.connections, serverPid: s.pid };
  // Other people's work on these cores skews a run: wait a while for a quiet moment.
  const foreignBefore = await waitQuiet([SERVER_CORE, LOAD_CORE], [process.pid], o.quietPercent, o.quietWaitS * 1000, (p) => log(`waiting for a quiet machine: others use ${Math.round(p)} % of the two cores`));
  // The warm-up (JIT, caches, connection set-up) on the same path; ZenLive's segment run then
  // moves to a segment completed just now, which stays in its live window for the whole run.
  const liveSegment = s.kind === 'zenlive' && resource === 'segment';
  const warmPath = liveSegment ? ((await waitForPlaylist(`${root}index.m3u8`, (p) => p.segments.length > 0, 'segment', 10_000)).segments.at(-1) as string) : fixed;
  await runWrk({ ...wrk, url: root + warmPath, seconds: o.warmupS, tag: `${tag}-warmup` });
  const path = liveSegment ? await freshSegment(`${root}index.m3u8`) : fixed;
  const probe = await get(root + path);
  const problem = checkResponse(probe, resource === 'playlist' ? PLAYLIST_TYPE : SEGMENT_TYPE);
  if (problem !== undefined) throw new Error(`${s.kind} ${path}: ${problem}`);
  const m = await runWrk({ ...wrk, url: root + path, seconds: o.windowS, tag });
  return toRow(s.kind, resource, runNo, SOURCE_PATH + path, probe.body.length, m, base, foreignBefore);
}

async function profileRun(o: Options, dist: string, clip: ClipInfo): Promise<Record<string, unknown>> {
  const dir = ensureDir(join(WORK, 'prof'));
  const file = join(dir, `zenlive-hls-serve-playlist-${process.pid}.cpuprofile`);
  rmSync(file, { force: true });
  log('profile: starting a separate ZenLive with --profile and a fresh publish');
  const { zen, publisher } = await startLiveZenLive(o, dist, clip, 'profile', file);
  try {
    const url = `http://127.0.0.1:${zen.port}${SOURCE_PATH}index.m3u8`;
    await runWrk({ url, core: LOAD_CORE, serverCore: SERVER_CORE, threads: o.threads, connections: o.connections, seconds: o.warmupS, serverPid: zen.pid, tag: 'profile-warmup' });
    process.kill(zen.pid, 'SIGUSR2');
    await sleep(200);
    const m = await runWrk({ url, core: LOAD_CORE, serverCore: SERVER_CORE, threads: o.threads, connections: o.connections, seconds: o.windowS, serverPid: zen.pid, tag: 'profile' });
    process.kill(zen.pid, 'SIGUSR2');
    const deadline = Date.now() + 15_000;
    while (!existsSync(file) && Date.now() < deadline) await sleep(200);
    if (!existsSync(file)) throw new Error(`no profile written to ${file}`);
    await sleep(500);
    const s = summarize(file, 15);
    const handler: TotalTime[] = totalTimes(file, 'protocols/hls/request-handler.js', 15);
    log(`profile: ${m.requests} requests at ${Math.round(m.requests / m.seconds)} req/s under the profiler; top self time:`);
    for (const h of s.hot.slice(0, 10)) log(`  ${String(h.percent).padStart(5)} %  ${h.name}  ${h.where}`);
    return {
      file,
      note: 'profiling slows the server; req/s here is not comparable',
      req_per_s_profiled: Math.round(m.requests / m.seconds),
      busy_ms: s.busyMs,
      idle_ms: s.idleMs,
      top_self: s.hot as HotFunction[],
      request_handler_total: handler,
    };
  } finally {
    await publisher.stop(3000);
    await zen.stop();
  }
}

async function main(): Promise<void> {
  const o = options();
  const date = new Date().toISOString();
  log('provisioning peers (ffmpeg, nginx) and wrk');
  await provision();
  const wrkVersion = await ensureWrk();
  const nginxVersion = (await run('bash', ['-c', 'nginx -v 2>&1'])).trim();
  let dist = o.zenliveDist;
  if (dist === undefined) {
    log(`building ZenLive (tsc -p tsconfig.build.json) into ${join(RUN_DIR, 'dist')}`);
    dist = await buildZenLiveInto(join(ensureDir(RUN_DIR), 'dist'));
  }
  const clip = await ensureClip();

  const servers: HttpServer[] = [];
  const children: Child[] = [];
  const rows: Row[] = [];
  let profile: Record<string, unknown> | undefined;
  let failure: string | undefined;
  let nginxConf = '';
  let headers: Record<string, Record<string, unknown>> = {};
  let logs: Record<string, LogScan> = {};
  let base = new Map<HttpServerKind, Baseline>();
  let snapshot = { playlist_bytes: 0, segment: '', segment_bytes: 0 };
  try {
    log(`starting ZenLive (core ${SERVER_CORE}) and the publisher (core ${LOAD_CORE})`);
    const { zen, publisher } = await startLiveZenLive(o, dist, clip, 'main');
    servers.push(zen);
    children.push(publisher);
    const zenBase = `http://127.0.0.1:${zen.port}${SOURCE_PATH}`;

    // The bytes nginx and the bare servers serve: ZenLive's playlist and newest complete segment now.
    const playlist = await get(`${zenBase}index.m3u8`);
    const segName = parseMediaPlaylist(playlist.body.toString('utf8')).segments.at(-1) as string;
    const segment = await get(zenBase + segName);
    const playlistProblem = checkResponse(playlist, PLAYLIST_TYPE);
    const segmentProblem = checkResponse(segment, SEGMENT_TYPE);
    if (playlistProblem !== undefined || segmentProblem !== undefined) throw new Error(`ZenLive: playlist ${playlistProblem ?? 'ok'}, segment ${segmentProblem ?? 'ok'}`);
    const www = join(RUN_DIR, 'www');
    rmSync(www, { recursive: true, force: true });
    const dir = join(www, SOURCE_PATH.slice(1));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.m3u8'), playlist.body);
    writeFileSync(join(dir, segName), segment.body);
    snapshot = { playlist_bytes: playlist.body.length, segment: segName, segment_bytes: segment.body.length };
    log(`snapshot: playlist ${playlist.body.length} B, segment ${segName} ${segment.body.length} B`);

    const files = [`${SOURCE_PATH.slice(1)}index.m3u8`, `${SOURCE_PATH.slice(1)}${segName}`];
    for (const kind of o.servers) {
      if (kind === 'nginx' || kind === 'nginx-nosendfile') {
        const n = await startNginxStatic({ core: SERVER_CORE, root: www, sendfile: kind === 'nginx' });
        if (kind === 'nginx') nginxConf = n.conf;
        servers.push(n);
      } else if (kind === 'node-http' || kind === 'fastify') {
        servers.push(await startBare(kind, { core: SERVER_CORE, root: www, files }));
      }
    }
    // Every server answers both URLs with the snapshot's bytes (ZenLive: its live playlist, same segment).
    for (const s of servers) {
      const p = await get(`http://127.0.0.1:${s.port}${SOURCE_PATH}index.m3u8`);
      const g = await get(`http://127.0.0.1:${s.port}${SOURCE_PATH}${segName}`);
      const problem = checkResponse(p, PLAYLIST_TYPE, s.kind === 'zenlive' ? undefined : playlist.body) ?? checkResponse(g, SEGMENT_TYPE, segment.body);
      if (problem !== undefined) throw new Error(`${s.kind}: ${problem}`);
      headers = { ...headers, [s.kind]: { playlist: { header_bytes: p.headerBytes, headers: p.headers }, segment: { header_bytes: g.headerBytes, headers: g.headers } } };
    }

    log(`baseline: ${o.windowS} s with every server idle (ZenLive ingesting and segmenting)`);
    base = await baselines(servers, o.windowS);
    log(`baseline: ${[...base].map(([k, b]) => `${k} ${b.cpu_percent} %`).join(', ')}`);

    for (let runNo = 1; runNo <= o.repeat; runNo++) {
      for (const resource of o.resources) {
        for (const s of servers) {
          for (let attempt = 1; ; attempt++) {
            const row = await measure(o, s, resource, runNo, segName, base.get(s.kind) as Baseline);
            row.attempt = attempt;
            log(describe(row));
            // A run others disturbed heavily is done again (up to --retries times); the last one counts.
            if (row.foreign_percent <= o.maxForeign || attempt > o.retries) {
              rows.push(row);
              break;
            }
            log(`others used ${row.foreign_percent} % of the two cores during that run (> ${o.maxForeign}): measuring it again`);
          }
        }
      }
    }
    logs = Object.fromEntries(servers.map((s) => [s.kind, scanLog(s.logFile)]));
    // The profiled ZenLive runs alone: stop the measured servers and publisher first.
    if (o.profile) {
      for (const c of children.splice(0)) await c.stop(3000);
      for (const s of servers.splice(0)) await s.stop();
      profile = await profileRun(o, dist, clip);
    }
  } catch (err) {
    // What was measured so far is still published, with the error.
    failure = (err as Error).stack ?? String(err);
    log(`failed: ${failure}`);
  } finally {
    if (Object.keys(logs).length === 0) logs = Object.fromEntries(servers.map((s) => [s.kind, scanLog(s.logFile)]));
    for (const c of children) await c.stop(3000);
    for (const s of servers) await s.stop();
    rmSync(RUN_DIR, { recursive: true, force: true });
  }
  if (failure !== undefined && rows.length === 0) throw new Error('no run completed');

  const summary = summaryOf(rows);
  const ratios = ratiosOf(summary);
  process.stderr.write(`${table(summary, ratios)}\n`);
  publishResult('hls-serve', {
    bench: 'hls-serve',
    date,
    machine: machineInfo(),
    method: {
      server_core: SERVER_CORE,
      load_core: LOAD_CORE,
      load: `${wrkVersion}: wrk -t${o.threads} -c${o.connections} -d${o.windowS}s --latency URL, pinned with taskset -c ${LOAD_CORE}, after a ${o.warmupS} s warm-up run on the same path`,
      cpu: 'utime+stime of the server process tree (/proc/PID/stat) read just before wrk starts and just after it exits; req/CPU-s = requests / server CPU seconds',
      net: 'net = server CPU minus its idle rate (baseline, measured for one window with every server idle) × the run wall time; for ZenLive the idle rate is RTMP ingest + segmenting of the live stream, which nginx and the bare servers do not do',
      zenlive: `bench/servers/zenlive-server.mjs on a build of src/ (${o.zenliveDist === undefined ? 'tsc -p tsconfig.build.json into bench/.work/hls-serve/run-PID/dist' : o.zenliveDist}), node flags [${o.zenliveNodeFlags.join(' ')}] (scripts/start.sh's unless --zenlive-node-flags), config streaming.enable_hls=true${o.zenliveConfig !== undefined ? ` + ${JSON.stringify(o.zenliveConfig)}` : ''}, HLS defaults (fMP4, LL-HLS parts 0.3 s, 2 s segments, 12 s window); the playlist is its live one (changes every part, ~2 KB), the segment one completed just before the run`,
      nginx: `${nginxVersion}; serves a snapshot of ZenLive's playlist and one segment from disk; config in nginx_conf (nginx-nosendfile: the same with sendfile off)`,
      bare: 'bench/servers/hls-serve-bare.mjs: the same snapshot from memory, ZenLive headers; node-http = createServer + Map lookup + writeHead/end; fastify = Fastify 5, logger off, one parametric GET route',
      clip,
    },
    options: {
      window_s: o.windowS,
      warmup_s: o.warmupS,
      connections: o.connections,
      threads: o.threads,
      repeat: o.repeat,
      servers: o.servers,
      resources: o.resources,
      quiet_percent: o.quietPercent,
      quiet_wait_s: o.quietWaitS,
      max_foreign_percent: o.maxForeign,
      retries: o.retries,
    },
    snapshot,
    nginx_conf: nginxConf,
    response_headers: headers,
    baseline: Object.fromEntries(base),
    summary,
    ratios,
    goals: GOALS,
    runs: rows,
    server_logs: logs,
    ...(profile !== undefined ? { profile } : {}),
    ...(failure !== undefined ? { error: failure } : {}),
  });
  if (failure !== undefined) process.exitCode = 1;
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
