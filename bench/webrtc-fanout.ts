/**
 * WebRTC fan-out benchmark: one ~1.5 Mbps 720p30 H.264 WHIP publisher and N WHEP viewers of
 * ZenLive, the server pinned to core 0 and all load (publisher and viewers, one process) to core 1.
 *
 *   npx vite-node bench/webrtc-fanout.ts -- [--n 50,150,250,500] [--window 20] [--warmup 5]
 *       [--stagger 10] [--repeat 1] [--quiet-percent 15] [--quiet-wait 600] [--retries 2]
 *       [--profile] [--server-cpus 0,1] [--zenlive-dist DIR] [--zenlive-config JSON] [--zenlive-node-flags='…'] [--zenlive-env 'K=V …']
 *   npx vite-node bench/webrtc-fanout.ts -- --mode send-cost [--k 100] [--transports werift,datachannel]
 *
 * fanout: for each N, a fresh ZenLive with WHIP/WHEP on loopback (webrtc/server.ts); the load
 * process (webrtc/fanout-load.ts) publishes the clip over WHIP with werift, packetized by our own
 * packetizer and paced in real time, opens N node-datachannel viewers, warms up, then measures a
 * window. Per row: server CPU (% of a core, ms per subscriber-second), RSS, packets each viewer got
 * of those the publisher sent in the window (loss %, viewers keeping up at ≥ 98 %), and the added
 * forwarding latency p50/p99 (publisher's last packet of a frame → a viewer's last packet of it).
 *
 * send-cost: how many SRTP packets one Node process sends per CPU-second with stock werift (one
 * RTCPeerConnection per viewer, sendRtp) and with node-datachannel (Track.sendMessageBinary), each
 * sending the same paced clip to K local viewers (webrtc/send-cost-sender.ts on core 0, viewers
 * on core 1), and their ratio: whether a native media transport is worth it.
 *
 * One JSON line on stdout, also written to bench/results/webrtc-fanout-DATE.json (or
 * webrtc-send-cost-DATE.json); progress on stderr; server logs in bench/.work/logs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_OPTIONS, parseCli, zenliveVariant } from './lib/cli.js';
import { scanLog, type LogScan } from './lib/log-scan.js';
import { summarize, type HotFunction } from './lib/profile.js';
import { machineInfo, publishResult, round } from './lib/results.js';
import { buildZenLive, ZENLIVE_BUILD } from './lib/servers.js';
import { medians } from './lib/summary.js';
import { waitJson } from './lib/procs.js';
import { KEEP_UP_SHARE, type WebRtcLoadResult } from './webrtc/load-config.js';
import { describeClip, ensureH264Clip, loadClip, type H264ClipInfo } from './webrtc/h264-clip.js';
import { runWebRtcLoad, startScript } from './webrtc/load-runner.js';
import { watchServerState, type ServerState } from './lib/server-state.js';
import { measureQuietly, profileFile } from './lib/quiet.js';
import type { SendTransport, SenderConfig } from './webrtc/send-cost-sender.js';
import { startWebRtcServer } from './webrtc/server.js';

const SERVER_CORE = 0;
const LOAD_CORE = 1;
/** ZenLive's default `streaming.webrtc.max_rtp_payload_bytes`: our packetizer cuts the same packets. */
const MAX_PAYLOAD = 1150;
const CLIP_SECONDS = 30;
const CLIP_KBPS = 1500;

/** One N of the fan-out table. */
interface FanoutRow extends Record<string, unknown> {
  n: number;
  run: number;
  cpu_percent: number;
  cpu_ms_per_subscriber_second: number;
  rss_mb: number;
  rss_idle_mb: number;
  subscribers_keeping_up: number;
  subscribers: number;
  loss_percent: number | null;
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
  /** The server's time to hand a frame to every viewer (upper bound of its histogram bucket). */
  server_delivery_p50_ms: number | null;
  server_delivery_p99_ms: number | null;
  /** Per viewer and frame: when the server handed it to that viewer, after the frame entered the hub (bucket bounds). */
  server_viewer_p50_ms: number | null;
  server_viewer_p99_ms: number | null;
  loadgen_cpu_percent: number;
  other_cpu_server_core_percent: number;
  /** Frames ZenLive skipped for slow viewers (its own counter, all protocols). */
  server_dropped_frames: number | null;
  server_memory_mb: Record<string, number> | null;
  detail: Omit<WebRtcLoadResult, 'event'>;
  server_log: LogScan;
  profile?: { file: string; busy_ms: number; top: HotFunction[] };
}

/** One transport of the send-cost table. */
interface SendCostRow extends Record<string, unknown> {
  transport: SendTransport;
  k: number;
  run: number;
  /** SRTP packets the viewers received in the window per CPU-second the sender used. */
  packets_per_cpu_second: number;
  packets_per_s: number;
  sender_cpu_percent: number;
  sequence_loss_percent: number;
  viewers_connected: number;
  loadgen_cpu_percent: number;
  other_cpu_server_core_percent: number;
  detail: Omit<WebRtcLoadResult, 'event'>;
}

const log = (msg: string): boolean => process.stderr.write(`webrtc-fanout: ${msg}\n`);

function options() {
  const { servers: _servers, ...common } = COMMON_OPTIONS;
  const v = parseCli({
    ...common,
    mode: { type: 'string', default: 'fanout' },
    n: { type: 'string', default: process.env['BENCH_N'] ?? '50,150,250,500' },
    k: { type: 'string', default: '100' },
    transports: { type: 'string', default: 'werift,datachannel' },
    warmup: { type: 'string', default: '5' },
    stagger: { type: 'string', default: '10' },
    /** Cores the server may use, e.g. "0,1" with viewer workers (the load stays on core 1 and shares it). */
    'server-cpus': { type: 'string', default: String(SERVER_CORE) },
  });
  if (v.mode !== 'fanout' && v.mode !== 'send-cost') throw new Error('--mode is fanout or send-cost');
  const transports = v.transports.split(',').map((t) => t.trim());
  for (const t of transports) if (t !== 'werift' && t !== 'datachannel') throw new Error(`unknown transport ${t}; expected werift, datachannel`);
  const variant = zenliveVariant(v);
  return {
    mode: v.mode,
    ns: v.n.split(',').map(Number),
    k: Number(v.k),
    transports: transports as SendTransport[],
    windowS: Number(v.window),
    warmupS: Number(v.warmup),
    stagger: Number(v.stagger),
    serverCpus: v['server-cpus'],
    repeat: Number(v.repeat),
    quietPercent: Number(v['quiet-percent']),
    quietWaitS: Number(v['quiet-wait']),
    retries: Number(v.retries),
    profile: v.profile,
    ...(variant !== undefined ? { variant } : {}),
  };
}
type Options = ReturnType<typeof options>;

async function measureFanout(n: number, run: number, clip: H264ClipInfo, o: Options): Promise<FanoutRow> {
  const tag = `webrtc-fanout-n${n}`;
  const profile = o.profile ? profileFile(`zenlive-webrtc-fanout-n${n}`) : undefined;
  const variant = { ...o.variant, ...(profile !== undefined ? { profileFile: profile } : {}) };
  const server = await startWebRtcServer(o.serverCpus, tag, variant);
  const watched = watchServerState(server.child.lines);
  let atEnd: ServerState = { dropped: null, memory: null };
  try {
    const rssIdle = server.rssMb();
    const base = `http://127.0.0.1:${server.httpPort}`;
    const r = await runWebRtcLoad(
      { whipUrl: `${base}/whip/bench`, whepUrl: `${base}/whep/bench`, clipPath: clip.path, maxPayloadBytes: MAX_PAYLOAD, subscribers: n, stagger: o.stagger, warmupSeconds: o.warmupS, windowSeconds: o.windowS, serverPid: server.pid, serverCore: SERVER_CORE, loadCore: LOAD_CORE, signalServer: profile !== undefined },
      LOAD_CORE,
      () => {
        atEnd = watched.snapshot();
      },
    );
    const { event: _event, ...detail } = r;
    return {
      n,
      run,
      cpu_percent: r.server_cpu_percent,
      cpu_ms_per_subscriber_second: r.cpu_ms_per_subscriber_second,
      rss_mb: r.server_rss_mb,
      rss_idle_mb: round(rssIdle, 1),
      subscribers_keeping_up: r.keeping_up,
      subscribers: n,
      loss_percent: r.loss_percent,
      latency_p50_ms: r.latency_ms['p50'] ?? null,
      latency_p99_ms: r.latency_ms['p99'] ?? null,
      server_delivery_p50_ms: r.server_delivery_ms?.p50 ?? null,
      server_delivery_p99_ms: r.server_delivery_ms?.p99 ?? null,
      server_viewer_p50_ms: r.server_viewer_ms?.p50 ?? null,
      server_viewer_p99_ms: r.server_viewer_ms?.p99 ?? null,
      loadgen_cpu_percent: r.loadgen_cpu_percent,
      other_cpu_server_core_percent: r.other_cpu_server_core_percent,
      server_dropped_frames: atEnd.dropped,
      server_memory_mb: atEnd.memory,
      detail,
      server_log: scanLog(server.logFile),
      ...(profile !== undefined ? { profile: { file: profile, ...hot(profile) } } : {}),
    };
  } finally {
    watched.stop();
    await server.stop();
  }
}

function hot(file: string): { busy_ms: number; top: HotFunction[] } {
  const s = summarize(file, 10);
  return { busy_ms: s.busyMs, top: s.hot };
}

async function measureSendCost(transport: SendTransport, k: number, run: number, clip: H264ClipInfo, o: Options): Promise<SendCostRow> {
  const config: SenderConfig = { transport, clipPath: clip.path, maxPayloadBytes: MAX_PAYLOAD };
  const sender = startScript(`${transport} sender`, 'send-cost-sender.ts', SERVER_CORE, { ZENLIVE_BENCH_SENDER: JSON.stringify(config) });
  try {
    const ready = await waitJson<{ http_port: number }>(sender, 30_000, (x) => typeof x['http_port'] === 'number');
    const r = await runWebRtcLoad(
      { whepUrl: `http://127.0.0.1:${ready.http_port}/whep/bench`, clipPath: clip.path, maxPayloadBytes: MAX_PAYLOAD, subscribers: k, stagger: o.stagger, warmupSeconds: o.warmupS, windowSeconds: o.windowS, serverPid: sender.pid, serverCore: SERVER_CORE, loadCore: LOAD_CORE },
      LOAD_CORE,
    );
    const { event: _event, ...detail } = r;
    const received = r.packets_received_per_s * r.window_s;
    return {
      transport,
      k,
      run,
      packets_per_cpu_second: r.server_cpu_ms > 0 ? Math.round(received / (r.server_cpu_ms / 1000)) : 0,
      packets_per_s: r.packets_received_per_s,
      sender_cpu_percent: r.server_cpu_percent,
      sequence_loss_percent: r.sequence_loss_percent,
      viewers_connected: r.connected,
      loadgen_cpu_percent: r.loadgen_cpu_percent,
      other_cpu_server_core_percent: r.other_cpu_server_core_percent,
      detail,
    };
  } finally {
    await sender.stop(3000);
  }
}

async function fanout(o: Options, clip: H264ClipInfo): Promise<void> {
  const rows: FanoutRow[] = [];
  const failures: { n: number; run: number; error: string }[] = [];
  for (const n of o.ns) for (let run = 1; run <= o.repeat; run++) {
    log(`zenlive with ${n} WHEP subscribers${o.repeat > 1 ? ` (run ${run}/${o.repeat})` : ''}`);
    try {
      const row = await measureQuietly(() => measureFanout(n, run, clip, o), o, log);
      rows.push(row);
      log(`n=${n}: ${row.cpu_percent} % cpu, ${row.cpu_ms_per_subscriber_second} ms/sub-s, ${row.rss_mb} MB, ${row.subscribers_keeping_up}/${n} keep up, loss ${row.loss_percent} %, latency p50 ${row.latency_p50_ms} p99 ${row.latency_p99_ms} ms, server delivery p50 ≤ ${row.server_delivery_p50_ms} p99 ≤ ${row.server_delivery_p99_ms} ms, per viewer p50 ≤ ${row.server_viewer_p50_ms} p99 ≤ ${row.server_viewer_p99_ms} ms, loadgen ${row.loadgen_cpu_percent} %`);
    } catch (err) {
      log(`n=${n} failed: ${(err as Error).message}`);
      failures.push({ n, run, error: (err as Error).message });
    }
  }
  publishResult('webrtc-fanout', {
    bench: 'webrtc-fanout',
    date: new Date().toISOString(),
    machine: machineInfo(),
    clip,
    setup: { server_core: SERVER_CORE, server_cpus: o.serverCpus, load_core: LOAD_CORE, window_s: o.windowS, warmup_s: o.warmupS, stagger: o.stagger, repeat: o.repeat, profiled: o.profile, zenlive_variant: o.variant ?? null, publisher: 'werift WHIP', subscribers: 'node-datachannel WHEP' },
    keep_up_rule: `received >= ${KEEP_UP_SHARE * 100} % of the RTP packets the publisher sent for the window's frames, and still connected at its end`,
    summary: medians(rows, ['n'], ['cpu_percent', 'cpu_ms_per_subscriber_second', 'rss_mb', 'subscribers_keeping_up', 'loss_percent', 'latency_p50_ms', 'latency_p99_ms', 'server_delivery_p50_ms', 'server_delivery_p99_ms', 'server_viewer_p50_ms', 'server_viewer_p99_ms', 'loadgen_cpu_percent', 'other_cpu_server_core_percent']),
    results: rows,
    failures,
  });
}

async function sendCost(o: Options, clip: H264ClipInfo): Promise<void> {
  const rows: SendCostRow[] = [];
  const failures: { transport: SendTransport; run: number; error: string }[] = [];
  for (let run = 1; run <= o.repeat; run++) for (const t of o.transports) {
    log(`${t} sending to ${o.k} viewers${o.repeat > 1 ? ` (run ${run}/${o.repeat})` : ''}`);
    try {
      const row = await measureQuietly(() => measureSendCost(t, o.k, run, clip, o), o, log);
      rows.push(row);
      log(`${t}: ${row.packets_per_cpu_second} packets per CPU-second (${row.packets_per_s} packets/s at ${row.sender_cpu_percent} % cpu, seq loss ${row.sequence_loss_percent} %)`);
    } catch (err) {
      log(`${t} failed: ${(err as Error).message}`);
      failures.push({ transport: t, run, error: (err as Error).message });
    }
  }
  const summary = medians(rows, ['transport'], ['packets_per_cpu_second', 'packets_per_s', 'sender_cpu_percent', 'sequence_loss_percent']);
  const of = (t: SendTransport): number | undefined => summary.find((s) => s['transport'] === t)?.['packets_per_cpu_second'] as number | undefined;
  const werift = of('werift');
  const datachannel = of('datachannel');
  publishResult('webrtc-send-cost', {
    bench: 'webrtc-send-cost',
    date: new Date().toISOString(),
    machine: machineInfo(),
    clip,
    setup: { sender_core: SERVER_CORE, load_core: LOAD_CORE, k: o.k, window_s: o.windowS, warmup_s: o.warmupS, repeat: o.repeat, viewers: 'node-datachannel WHEP' },
    werift_packets_per_cpu_second: werift ?? null,
    datachannel_packets_per_cpu_second: datachannel ?? null,
    datachannel_to_werift_ratio: werift !== undefined && datachannel !== undefined && werift > 0 ? round(datachannel / werift, 2) : null,
    summary,
    results: rows,
    failures,
  });
}

/**
 * Builds ZenLive as lib/servers.ts does. tsc exits 2 when the tree has type errors but still
 * emits JavaScript (test/global-setup.ts relies on the same): the run goes on with a warning, and
 * only a build that emitted nothing stops it.
 */
async function build(): Promise<void> {
  try {
    await buildZenLive();
  } catch (err) {
    if (!/ exited 2:/.test((err as Error).message) || !existsSync(join(ZENLIVE_BUILD, 'index.js'))) throw err;
    log(`ZenLive built with type errors (tsc exit 2), measuring what it emitted: ${(err as Error).message.split('\n').slice(1, 3).join(' ')}`);
  }
}

async function main(): Promise<void> {
  const o = options();
  log('building ZenLive and the clip');
  if (o.mode === 'fanout' && o.variant?.dist === undefined) await build();
  const path = await ensureH264Clip({ seconds: CLIP_SECONDS, videoKbps: CLIP_KBPS });
  const clip = describeClip(path, CLIP_SECONDS, CLIP_KBPS, loadClip(path, MAX_PAYLOAD), MAX_PAYLOAD);
  if (o.mode === 'fanout') await fanout(o, clip);
  else await sendCost(o, clip);
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
