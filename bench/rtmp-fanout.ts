/**
 * RTMP fan-out benchmark: one ~2.7 Mbps publisher, N players, ZenLive vs Node-Media-Server vs
 * nginx-rtmp, each server pinned to core 0 and all load (ffmpeg publisher, player process) to core 1.
 *
 *   npx vite-node bench/rtmp-fanout.ts -- [--n 100,400,1000] [--window 20] [--warmup 3]
 *       [--servers zenlive,nms,nginx] [--repeat 1] [--player light|client] [--stagger 50]
 *       [--quiet-percent 15] [--quiet-wait 600] [--retries 2]
 *       [--profile] [--zenlive-dist DIR] [--zenlive-config JSON] [--zenlive-node-flags='--flag ...']
 *       [--zenlive-env 'K=V ...']
 *
 * For each N and server (started fresh each time): start the server, publish the clip with
 * `ffmpeg -re -stream_loop -1 -c copy`, run the load generator (lib/load.ts), stop everything.
 * Reports server CPU ms per player-second, % of a core, RSS, players keeping up (rule in
 * lib/player-stats.ts) and the generator's own CPU, as one JSON line on stdout and in
 * bench/results/rtmp-fanout-DATE.json. Progress goes to stderr; logs to bench/.work/logs.
 *
 * The machine is shared with other engineers' tests: each cell waits until the machine is quiet,
 * and is measured again when something else used the server's core during the window
 * (`other_cpu_server_core_percent` in each row says how much did).
 * With --repeat R every cell runs R times and `summary` holds the medians (loopback numbers
 * move by ±10 % from run to run: use 3 to compare servers). The --zenlive-* options measure a
 * variant of ZenLive (another build, a config overlay, node flags or environment variables).
 * `--profile` CPU-profiles ZenLive over each measurement window (bench/.work/prof) and adds its
 * hottest functions to the result; profiling slows it, so its CPU numbers are not comparable.
 */
import { join } from 'node:path';
import { ensureClip, type ClipInfo } from './lib/clip.js';
import { runLoad } from './lib/load-runner.js';
import type { LoadConfig, LoadResult } from './lib/load.js';
import { scanLog, type LogScan } from './lib/log-scan.js';
import { ensureDir, WORK } from './lib/paths.js';
import { summarize, type HotFunction } from './lib/profile.js';
import { startPublisher } from './lib/publisher.js';
import { machineInfo, publishResult, round } from './lib/results.js';
import { buildZenLive, provision, startServer, type ServerKind } from './lib/servers.js';
import { COMMON_OPTIONS, parseCli, serverList, zenliveVariant } from './lib/cli.js';
import { KEEP_UP } from './lib/player-stats.js';
import { medians } from './lib/summary.js';
import { treeRssMb } from './lib/cpu.js';
import { watchServerState, type ServerState } from './lib/server-state.js';
import { measureQuietly } from './lib/quiet.js';
import type { Child } from './lib/procs.js';

const SERVER_CORE = 0;
const LOAD_CORE = 1;

/** One (server, N) cell of the result table. */
interface FanoutRow extends Record<string, unknown> {
  server: ServerKind;
  n: number;
  /** Which repetition (1..repeat) this row is. */
  run: number;
  cpu_ms_per_player_second: number;
  cpu_percent: number;
  rss_mb: number;
  rss_idle_mb: number;
  players_keeping_up: number;
  players: number;
  loadgen_cpu_percent: number;
  loadgen_loop_delay_p99_ms: number;
  /** CPU used on the server's core by anything else during the window: above a few %, distrust the row. */
  other_cpu_server_core_percent: number;
  /** Frames ZenLive skipped for slow players (its own counter); null for other servers. */
  server_dropped_frames: number | null;
  /** ZenLive's process.memoryUsage() in MB near the end of the window; null for other servers. */
  server_memory_mb: Record<string, number> | null;
  detail: Omit<LoadResult, 'event'>;
  server_log: LogScan;
  profile?: { file: string; busy_ms: number; top: HotFunction[] };
}

const log = (msg: string): boolean => process.stderr.write(`rtmp-fanout: ${msg}\n`);

function options() {
  const v = parseCli({
    ...COMMON_OPTIONS,
    n: { type: 'string', default: process.env['BENCH_N'] ?? '100,400,1000' },
    warmup: { type: 'string', default: '3' },
    player: { type: 'string', default: 'light' },
    stagger: { type: 'string', default: '50' },
  });
  if (v.player !== 'light' && v.player !== 'client') throw new Error('--player is light or client');
  const variant = zenliveVariant(v);
  return {
    ns: v.n.split(',').map(Number),
    windowS: Number(v.window),
    warmupS: Number(v.warmup),
    servers: serverList(v.servers),
    player: v.player as LoadConfig['player'],
    stagger: Number(v.stagger),
    repeat: Number(v.repeat),
    quietPercent: Number(v['quiet-percent']),
    quietWaitS: Number(v['quiet-wait']),
    retries: Number(v.retries),
    profile: v.profile,
    ...(variant !== undefined ? { variant } : {}),
  };
}

function profileFile(n: number): string {
  return join(ensureDir(join(WORK, 'prof')), `zenlive-fanout-n${n}.cpuprofile`);
}

async function measure(kind: ServerKind, n: number, run: number, clip: ClipInfo, o: ReturnType<typeof options>): Promise<FanoutRow> {
  const tag = `fanout-n${n}`;
  const profile = o.profile && kind === 'zenlive' ? profileFile(n) : undefined;
  const zenlive = kind === 'zenlive' ? o.variant : undefined;
  const server = await startServer(kind, { core: SERVER_CORE, tag, ...(profile !== undefined ? { cpuProfileFile: profile } : {}), ...(zenlive !== undefined ? { zenlive } : {}) });
  let publisher: Child | undefined;
  const watched = watchServerState(server.child.lines);
  let atEnd: ServerState = { dropped: null, memory: null };
  try {
    const rssIdle = treeRssMb(server.pid);
    const url = `rtmp://127.0.0.1:${server.rtmpPort}/live/bench`;
    const budgetS = 120 + Math.ceil(n / 10) + o.warmupS + o.windowS;
    publisher = startPublisher({ clip: clip.path, url, core: LOAD_CORE, maxSeconds: budgetS, logTag: `${kind}-${tag}` });
    const r = await runLoad({ url, players: n, stagger: o.stagger, warmupSeconds: o.warmupS, windowSeconds: o.windowS, serverPid: server.pid, player: o.player, signalServer: profile !== undefined, publisherPid: publisher.pid, serverCore: SERVER_CORE, loadCore: LOAD_CORE }, LOAD_CORE, () => {
      // The server's last report from inside the window, before the players hang up.
      atEnd = watched.snapshot();
    });
    const { event: _event, ...detail } = r;
    return {
      server: kind,
      n,
      run,
      cpu_ms_per_player_second: r.cpu_ms_per_player_second,
      cpu_percent: r.server_cpu_percent,
      rss_mb: r.server_rss_mb,
      rss_idle_mb: round(rssIdle, 1),
      players_keeping_up: r.keeping_up,
      players: n,
      loadgen_cpu_percent: r.loadgen_cpu_percent,
      loadgen_loop_delay_p99_ms: r.loadgen_loop_delay_p99_ms,
      other_cpu_server_core_percent: r.other_cpu_server_core_percent,
      server_dropped_frames: kind === 'zenlive' ? atEnd.dropped : null,
      server_memory_mb: kind === 'zenlive' ? atEnd.memory : null,
      detail,
      server_log: scanLog(server.logFile),
    };
  } finally {
    watched.stop();
    await publisher?.stop(3000);
    await server.stop();
  }
}

async function main(): Promise<void> {
  const o = options();
  log('provisioning peers and building ZenLive');
  await provision();
  if (o.servers.includes('zenlive') && o.variant?.dist === undefined) await buildZenLive();
  const clip = await ensureClip(30, 2500);
  const rows: FanoutRow[] = [];
  const failures: { server: ServerKind; n: number; run: number; error: string }[] = [];
  // Servers interleave within each N and repetition, so a drift of the machine hits them alike.
  for (const n of o.ns) for (let run = 1; run <= o.repeat; run++) {
    for (const kind of o.servers) {
      log(`${kind} with ${n} players${o.repeat > 1 ? ` (run ${run}/${o.repeat})` : ''}`);
      let row: FanoutRow;
      try {
        row = await measureQuietly(() => measure(kind, n, run, clip, o), o, log);
      } catch (err) {
        // One server failing (or crashing under load) is a result too; the others still run.
        log(`${kind} n=${n} failed: ${(err as Error).message}`);
        failures.push({ server: kind, n, run, error: (err as Error).message });
        continue;
      }
      if (o.profile && kind === 'zenlive') {
        const file = profileFile(n);
        const s = summarize(file, 10);
        row.profile = { file, busy_ms: s.busyMs, top: s.hot };
      }
      rows.push(row);
      log(`${kind} n=${n}: ${row.cpu_ms_per_player_second} ms/player-s, ${row.cpu_percent} % cpu, ${row.rss_mb} MB, ${row.players_keeping_up}/${n} keep up, loadgen ${row.loadgen_cpu_percent} %`);
    }
  }
  publishResult('rtmp-fanout', {
    bench: 'rtmp-fanout',
    date: new Date().toISOString(),
    machine: machineInfo(),
    clip,
    setup: { server_core: SERVER_CORE, load_core: LOAD_CORE, window_s: o.windowS, warmup_s: o.warmupS, player: o.player, stagger: o.stagger, repeat: o.repeat, profiled: o.profile, zenlive_variant: o.variant ?? null },
    keep_up_rule: KEEP_UP,
    summary: medians(rows, ['server', 'n'], ['cpu_ms_per_player_second', 'cpu_percent', 'rss_mb', 'players_keeping_up', 'loadgen_cpu_percent', 'other_cpu_server_core_percent']),
    results: rows,
    failures,
  });
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
