/**
 * The WebRTC load generator, run as its own process pinned to the load core:
 *
 *   ZENLIVE_BENCH_WEBRTC_LOAD='{"whepUrl":"http://127.0.0.1:PORT/whep/bench",...}' \
 *     taskset -c 1 npx vite-node bench/webrtc/fanout-load.ts
 *
 * With `whipUrl` it first publishes the clip over WHIP (werift, real time, looping); then it opens
 * `subscribers` WHEP viewers (node-datachannel), lets them warm up and measures a window: packets
 * each viewer got of the frames the publisher sent in the window, the forwarding latency of every
 * frame, its own CPU and event-loop delay, and the measured process's CPU and RSS from /proc.
 * Without `whipUrl` (the send-cost mode) the viewers only count packets of whatever `whepUrl`
 * sends. Prints `{"event":"connected",...}` and then `{"event":"result",...}` on stdout.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { coreBusyMs, treeCpuMs, treeRssMb } from '../lib/cpu.js';
import { latencyQuantile, type LatencySnapshot } from '../../src/base/latency-histogram.js';
import { round } from '../lib/results.js';
import { median } from '../lib/summary.js';
import { FrameLog } from './frame-log.js';
import { KEEP_UP_SHARE, type WebRtcLoadConfig, type WebRtcLoadResult } from './load-config.js';
import { CLIP_FPS, loadClip } from './h264-clip.js';
import { percentiles } from './percentiles.js';
import { SubscriberStats } from './subscriber-stats.js';
import { openWhepSubscriber, type WhepSubscriber } from './whep-subscriber.js';
import { startWhipPublisher, type WhipPublisher } from './whip-publisher.js';

/** After the window, packets of its frames may still arrive for this long. */
const GRACE_MS = 1000;

const log = (msg: string): boolean => process.stderr.write(`webrtc-load: ${msg}\n`);
const emit = (o: object): boolean => process.stdout.write(`${JSON.stringify(o)}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Viewer {
  sub: WhepSubscriber;
  stats: SubscriberStats;
  closedAt?: number;
}

async function openViewer(cfg: WebRtcLoadConfig, id: number, frameLog: FrameLog, latencies: number[]): Promise<Viewer> {
  const stats = new SubscriberStats(frameLog, (ms) => latencies.push(ms));
  const viewer: Partial<Viewer> = { stats };
  viewer.sub = await openWhepSubscriber({
    id,
    url: cfg.whepUrl,
    onPacket: (p, now) => stats.onPacket(p, now),
    onClosed: () => {
      viewer.closedAt ??= performance.now();
    },
  });
  return viewer as Viewer;
}

/** Retries the first viewer until media flows (the stream exists only once the WHIP peer is up). */
async function firstViewer(cfg: WebRtcLoadConfig, frameLog: FrameLog, latencies: number[], timeoutMs: number): Promise<Viewer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await openViewer(cfg, 0, frameLog, latencies);
      while (v.stats.packets === 0 && v.closedAt === undefined && Date.now() < deadline) await sleep(50);
      if (v.stats.packets > 0) return v;
      v.sub.close();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`no media from ${cfg.whepUrl} within ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env['ZENLIVE_BENCH_WEBRTC_LOAD'] ?? '') as WebRtcLoadConfig;
  let publisher: WhipPublisher | undefined;
  if (cfg.whipUrl !== undefined) {
    publisher = await startWhipPublisher(cfg.whipUrl, loadClip(cfg.clipPath, cfg.maxPayloadBytes));
    log('publishing');
  }
  // without a publisher of our own, viewers never anchor: they count packets only
  const frameLog = publisher?.log ?? new FrameLog();
  const latencies: number[] = [];
  const viewers: Viewer[] = [await firstViewer(cfg, frameLog, latencies, 20_000)];
  let failed = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  while (viewers.length + failed < cfg.subscribers) {
    const batch = Math.min(cfg.stagger, cfg.subscribers - viewers.length - failed);
    const settled = await Promise.allSettled(Array.from({ length: batch }, (_, i) => openViewer(cfg, viewers.length + failed + i, frameLog, latencies)));
    for (const s of settled) {
      if (s.status === 'fulfilled') viewers.push(s.value);
      else {
        failed++;
        firstError ??= String((s.reason as Error).message);
      }
    }
  }
  const connectMs = Math.round(performance.now() - t0);
  emit({ event: 'connected', subscribers: viewers.length, failed, ms: connectMs });
  log(`${viewers.length} subscribers connected (${failed} failed) in ${connectMs} ms`);

  await sleep(cfg.warmupSeconds * 1000);
  latencies.length = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  if (cfg.signalServer === true) process.kill(cfg.serverPid, 'SIGUSR2');
  const from = publisher?.frames ?? 0;
  for (const v of viewers) v.stats.openWindow(from, Math.ceil((cfg.windowSeconds + 5) * CLIP_FPS));
  const startAt = performance.now();
  const startCpu = process.cpuUsage();
  const serverCpu0 = treeCpuMs(cfg.serverPid);
  const cores0 = coreBusyMs();
  const serverRss0 = treeRssMb(cfg.serverPid);
  const packets0 = viewers.map((v) => v.stats.packets);
  const published0 = publisher?.packets ?? 0;
  const delivery0 = await serverDelivery(cfg.whepUrl);
  await sleep(cfg.windowSeconds * 1000);
  const delivery1 = await serverDelivery(cfg.whepUrl);
  const endAt = performance.now();
  const serverCpu1 = treeCpuMs(cfg.serverPid);
  const ownCpu = process.cpuUsage(startCpu);
  const cores1 = coreBusyMs();
  const serverRss = treeRssMb(cfg.serverPid);
  const packets1 = viewers.map((v) => v.stats.packets);
  const published1 = publisher?.packets ?? 0;
  if (cfg.signalServer === true) process.kill(cfg.serverPid, 'SIGUSR2');
  loop.disable();
  const to = frameLog.sentThrough;
  for (const v of viewers) v.stats.closeWindow(to);
  // late packets of the window's frames still count (loss and latency alike)
  await sleep(GRACE_MS);

  const windowS = (endAt - startAt) / 1000;
  const sent = publisher !== undefined ? frameLog.packetsBetween(from, to) : 0;
  const shares = sent > 0 ? viewers.map((v) => v.stats.windowPackets / sent) : [];
  const sorted = [...shares].sort((a, b) => a - b);
  const keeping = publisher !== undefined ? viewers.filter((v, i) => (shares[i] ?? 0) >= KEEP_UP_SHARE && (v.closedAt === undefined || v.closedAt > endAt)).length : 0;
  const received = viewers.reduce((s, v) => s + v.stats.windowPackets, 0);
  const seq = viewers.reduce((acc, v) => {
    const l = v.stats.sequenceLoss;
    return { expected: acc.expected + l.expected, lost: acc.lost + l.lost };
  }, { expected: 0, lost: 0 });
  for (const v of viewers) if (v.closedAt !== undefined && firstError === undefined) firstError = `subscriber ${v.sub.id} closed (${v.sub.state()})`;
  const serverCpuMs = serverCpu1 - serverCpu0;
  const ownCpuMs = (ownCpu.user + ownCpu.system) / 1000;
  const coreDelta = (core: number): number => (cores1[core] ?? 0) - (cores0[core] ?? 0);
  const pct = (ms: number): number => round((ms / (windowS * 1000)) * 100, 1);
  const sharePct = (x: number | undefined): number | null => (x === undefined || Number.isNaN(x) ? null : round(x * 100, 2));
  const result: WebRtcLoadResult = {
    event: 'result',
    subscribers: cfg.subscribers,
    connected: viewers.length,
    failed_connects: failed,
    closed_early: viewers.filter((v) => v.closedAt !== undefined && v.closedAt <= endAt).length,
    keeping_up: keeping,
    window_s: round(windowS, 2),
    window_frames: publisher !== undefined ? to - from + 1 : 0,
    packets_sent_per_subscriber: sent,
    loss_percent: sent > 0 ? round((1 - received / (sent * viewers.length)) * 100, 3) : null,
    received_share_percent: { min: sharePct(sorted[0]), p10: sharePct(sorted[Math.floor(sorted.length / 10)]), median: sharePct(median(shares)) },
    per_subscriber_received: sent > 0 ? viewers.map((v) => v.stats.windowPackets) : [],
    packets_received_per_s: Math.round(packets1.reduce((s, p, i) => s + p - (packets0[i] as number), 0) / windowS),
    sequence_loss_percent: seq.expected > 0 ? round((seq.lost / seq.expected) * 100, 3) : 0,
    latency_ms: percentiles(latencies, [50, 90, 99, 100]),
    latency_samples: latencies.length,
    server_delivery_ms:
      delivery1 !== undefined
        ? { p50: latencyQuantile(delivery1.frame, 0.5, delivery0?.frame) ?? null, p99: latencyQuantile(delivery1.frame, 0.99, delivery0?.frame) ?? null, frames: delivery1.frame.count - (delivery0?.frame.count ?? 0) }
        : null,
    server_viewer_ms:
      delivery1?.viewer !== undefined
        ? { p50: latencyQuantile(delivery1.viewer, 0.5, delivery0?.viewer) ?? null, p99: latencyQuantile(delivery1.viewer, 0.99, delivery0?.viewer) ?? null, samples: delivery1.viewer.count - (delivery0?.viewer?.count ?? 0) }
        : null,
    server_cpu_ms: Math.round(serverCpuMs),
    server_cpu_percent: pct(serverCpuMs),
    cpu_ms_per_subscriber_second: round(serverCpuMs / (viewers.length * windowS), 3),
    server_rss_mb: round(serverRss, 1),
    server_rss_start_mb: round(serverRss0, 1),
    loadgen_cpu_percent: pct(ownCpuMs),
    loadgen_loop_delay_p99_ms: round(loop.percentile(99) / 1e6, 1),
    other_cpu_server_core_percent: pct(coreDelta(cfg.serverCore) - serverCpuMs),
    other_cpu_load_core_percent: pct(coreDelta(cfg.loadCore) - ownCpuMs),
    publisher_packets_per_s: Math.round((published1 - published0) / windowS),
    connect_ms: connectMs,
    first_error: firstError,
  };
  emit(result);
  for (const v of viewers) v.sub.close();
  await publisher?.close();
  await sleep(500);
  process.exit(0);
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  emit({ event: 'error', message: (err as Error).message });
  process.exit(1);
});

/**
 * The server's own counts (`GET /api/v1/webrtc/sessions` → delivery): how long handing each frame
 * to all its WHEP viewers took, and for each viewer how long after the frame entered the hub it was
 * handed it, summed over every process holding viewers (the server and its viewer workers). Read
 * at the window's edges, the difference is the window's distribution, free of this process's
 * event-loop delays. Undefined if not offered.
 */
async function serverDelivery(whepUrl: string): Promise<{ frame: LatencySnapshot; viewer: LatencySnapshot | undefined } | undefined> {
  try {
    const res = await fetch(new URL('/api/v1/webrtc/sessions', whepUrl));
    if (!res.ok) return undefined;
    const body = (await res.json()) as { delivery?: (LatencySnapshot & { perViewer?: LatencySnapshot })[] };
    const entries = body.delivery ?? [];
    if (entries.length === 0) return undefined;
    const viewers = entries.flatMap((e) => (e.perViewer !== undefined ? [e.perViewer] : []));
    return { frame: sumSnapshots(entries), viewer: viewers.length > 0 ? sumSnapshots(viewers) : undefined };
  } catch {
    return undefined;
  }
}

function sumSnapshots(all: readonly LatencySnapshot[]): LatencySnapshot {
  const first = all[0] as LatencySnapshot;
  return {
    bucketsMs: first.bucketsMs,
    counts: first.counts.map((_, i) => all.reduce((s, x) => s + (x.counts[i] ?? 0), 0)),
    count: all.reduce((s, x) => s + x.count, 0),
    maxMs: Math.max(...all.map((x) => x.maxMs)),
  };
}
