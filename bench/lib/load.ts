/**
 * The fan-out load generator, run as its own process pinned to the load core:
 *
 *   ZENLIVE_BENCH_LOAD='{"url":"rtmp://127.0.0.1:1935/live/bench","players":100,...}' \
 *     taskset -c 1 npx vite-node bench/lib/load.ts
 *
 * Opens `players` RTMP players with our RtmpClient (a few at a time), lets them warm up, then
 * measures a window: per-player frames and media clock (PlayerStats), its own CPU and event-loop
 * delay, and the server's CPU and RSS read from /proc at the same instants. Prints JSON lines
 * on stdout: `{"event":"connected",...}` and finally `{"event":"result",...}`; progress on stderr.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RtmpClient } from '../../src/protocols/rtmp/index.js';
import { coreBusyMs, treeCpuMs, treeRssMb } from './cpu.js';
import { takeOver } from './light-reader.js';
import { round } from './results.js';
import { median } from './summary.js';
import { PlayerStats, verdict, type PlayerSnapshot, type Verdict } from './player-stats.js';

/** What the orchestrator asks of one load run. */
export interface LoadConfig {
  url: string;
  players: number;
  /** Players connecting at once. */
  stagger: number;
  warmupSeconds: number;
  windowSeconds: number;
  /** The server process to measure over the window. */
  serverPid: number;
  /**
   * `light`: RtmpClient sets up and keeps the session, media is only counted (light-reader.ts);
   * `client`: RtmpClient reassembles every message. Light costs the generator ~25 % less.
   */
  player: 'light' | 'client';
  /** Send SIGUSR2 to the server at both edges of the window (starts and stops its CPU profile). */
  signalServer?: boolean;
  /** The publisher (on the load core with us), so the CPU left over on each core is known. */
  publisherPid?: number;
  /** The cores the server and the load are pinned to. */
  serverCore: number;
  loadCore: number;
}

/** The numbers one load run reports. */
export interface LoadResult {
  event: 'result';
  players: number;
  connected: number;
  failed_connects: number;
  keeping_up: number;
  not_keeping_up: Record<Exclude<Verdict, undefined>, number>;
  window_s: number;
  server_cpu_ms: number;
  server_cpu_percent: number;
  cpu_ms_per_player_second: number;
  server_rss_mb: number;
  server_rss_start_mb: number;
  loadgen_cpu_percent: number;
  loadgen_loop_delay_p99_ms: number;
  publisher_cpu_percent: number;
  /** CPU (% of a core) used on the server's core by anything but the server: should be ~0. */
  other_cpu_server_core_percent: number;
  /** CPU used on the load core by anything but the generator and the publisher. */
  other_cpu_load_core_percent: number;
  /** Video frames per second of wall time that the best-served player got. */
  ref_fps: number;
  median_kbps: number;
  max_behind_ms: number;
  first_error: string | undefined;
}

const log = (msg: string): boolean => process.stderr.write(`load: ${msg}\n`);
const emit = (o: object): boolean => process.stdout.write(`${JSON.stringify(o)}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Player {
  client: RtmpClient;
  stats: PlayerStats;
}

async function openPlayer(url: string, mode: LoadConfig['player']): Promise<Player> {
  const client = await RtmpClient.connect(url, { digest: false, timeoutMs: 20_000 });
  const stats = new PlayerStats();
  const count = (typeId: number, timestamp: number, size: number): void => {
    if (typeId === 9) stats.onVideo(timestamp, size, performance.now());
    else stats.onOther(size);
  };
  client.onMediaMessage = (m) => count(m.typeId, m.timestamp, m.payload.length);
  client.on('close', (err) => {
    stats.closed = true;
    stats.closeReason = err?.message ?? 'closed by server';
  });
  try {
    await client.play();
    if (mode === 'light') takeOver(client, count);
  } catch (err) {
    client.close();
    throw err;
  }
  return { client, stats };
}

/** Retries one player until the stream is live (ZenLive refuses to play a stream not yet published). */
async function firstPlayer(url: string, mode: LoadConfig['player'], timeoutMs: number): Promise<Player> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const p = await openPlayer(url, mode);
      while (p.stats.videoFrames === 0 && !p.stats.closed && Date.now() < deadline) await sleep(50);
      if (p.stats.videoFrames > 0) return p;
      p.client.close();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`no video from ${url} within ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env['ZENLIVE_BENCH_LOAD'] ?? '') as LoadConfig;
  const players: Player[] = [await firstPlayer(cfg.url, cfg.player, 20_000)];
  let failed = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  while (players.length + failed < cfg.players) {
    const batch = Math.min(cfg.stagger, cfg.players - players.length - failed);
    const settled = await Promise.allSettled(Array.from({ length: batch }, () => openPlayer(cfg.url, cfg.player)));
    for (const s of settled) {
      if (s.status === 'fulfilled') players.push(s.value);
      else {
        failed++;
        firstError ??= String((s.reason as Error).message);
      }
    }
  }
  emit({ event: 'connected', players: players.length, failed, ms: Math.round(performance.now() - t0) });
  log(`${players.length} players connected (${failed} failed) in ${Math.round(performance.now() - t0)} ms`);

  await sleep(cfg.warmupSeconds * 1000);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  if (cfg.signalServer === true) process.kill(cfg.serverPid, 'SIGUSR2');
  const startAt = performance.now();
  const startCpu = process.cpuUsage();
  const serverCpu0 = treeCpuMs(cfg.serverPid);
  const pubCpu0 = cfg.publisherPid !== undefined ? treeCpuMs(cfg.publisherPid) : 0;
  const cores0 = coreBusyMs();
  const serverRss0 = treeRssMb(cfg.serverPid);
  const starts: PlayerSnapshot[] = players.map((p) => p.stats.snapshot(startAt));
  await sleep(cfg.windowSeconds * 1000);
  const endAt = performance.now();
  const serverCpu1 = treeCpuMs(cfg.serverPid);
  const ownCpu = process.cpuUsage(startCpu);
  const pubCpuMs = cfg.publisherPid !== undefined ? treeCpuMs(cfg.publisherPid) - pubCpu0 : 0;
  const cores1 = coreBusyMs();
  const serverRss = treeRssMb(cfg.serverPid);
  if (cfg.signalServer === true) process.kill(cfg.serverPid, 'SIGUSR2');
  loop.disable();
  const ends: PlayerSnapshot[] = players.map((p) => p.stats.snapshot(endAt));

  const windowS = (endAt - startAt) / 1000;
  const refFrames = Math.max(0, ...ends.map((e, i) => e.videoFrames - (starts[i] as PlayerSnapshot).videoFrames));
  const notKeepingUp = { disconnected: 0, 'too-few-frames': 0, 'slow-clock': 0, behind: 0 };
  let keeping = 0;
  ends.forEach((e, i) => {
    const v = verdict(starts[i] as PlayerSnapshot, e, refFrames);
    if (v === undefined) keeping++;
    else notKeepingUp[v]++;
  });
  for (const p of players) if (p.stats.closed) firstError ??= p.stats.closeReason;
  const serverCpuMs = serverCpu1 - serverCpu0;
  const ownCpuMs = (ownCpu.user + ownCpu.system) / 1000;
  const coreDelta = (core: number): number => (cores1[core] ?? 0) - (cores0[core] ?? 0);
  const pct = (ms: number): number => round((ms / (windowS * 1000)) * 100, 1);
  const result: LoadResult = {
    event: 'result',
    players: cfg.players,
    connected: players.length,
    failed_connects: failed,
    keeping_up: keeping,
    not_keeping_up: notKeepingUp,
    window_s: round(windowS, 2),
    server_cpu_ms: Math.round(serverCpuMs),
    server_cpu_percent: round((serverCpuMs / (windowS * 1000)) * 100, 1),
    cpu_ms_per_player_second: round(serverCpuMs / (players.length * windowS), 3),
    server_rss_mb: round(serverRss, 1),
    server_rss_start_mb: round(serverRss0, 1),
    loadgen_cpu_percent: pct(ownCpuMs),
    loadgen_loop_delay_p99_ms: round(loop.percentile(99) / 1e6, 1),
    publisher_cpu_percent: pct(pubCpuMs),
    other_cpu_server_core_percent: pct(coreDelta(cfg.serverCore) - serverCpuMs),
    other_cpu_load_core_percent: pct(coreDelta(cfg.loadCore) - ownCpuMs - pubCpuMs),
    ref_fps: round(refFrames / windowS, 1),
    median_kbps: Math.round(median(ends.map((e, i) => ((e.bytes - (starts[i] as PlayerSnapshot).bytes) * 8) / windowS / 1000))),
    max_behind_ms: Math.round(Math.max(0, ...ends.filter((e) => !e.closed).map((e) => e.behindMs))),
    first_error: firstError,
  };
  emit(result);
  for (const p of players) p.client.close();
  await sleep(500);
  process.exit(0);
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  emit({ event: 'error', message: (err as Error).message });
  process.exit(1);
});
