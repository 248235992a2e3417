/**
 * HLS latency benchmark (issue `hls-latency`): what ZenLive's HLS adds between a frame entering the
 * hub and a player being able to fetch it, and the live latency hls.js achieves in Chromium.
 *
 *   npx vite-node bench/hls-latency.ts -- [--window 20] [--warmup 4] [--player-warmup 10]
 *       [--player-samples 10] [--skip-player]
 *
 * (a) LL-HLS (fMP4, parts 0.3 s), ZenLive in this process: a client issues blocking playlist
 *     reloads for the next part (`?_HLS_msn=M&_HLS_part=P`) and another requests each preload-hinted
 *     part; each arrival is compared with when the last frame of that part entered the hub and when
 *     the segmenter cut the part (goal: under 50 ms added). Plain HLS (2 s segments) is polled every
 *     20 ms to time when each finished segment gets listed.
 * (b) The watch page in Chromium (hls.js 1.7, lowLatencyMode) for LL-HLS and for 2 s-segment HLS:
 *     after playback starts and `--player-warmup` seconds pass, `hls.latency`, `hls.targetLatency` and
 *     Date.now() − `hls.playingDate` are sampled once a second (goal for LL-HLS: under 1.5 s).
 *
 * The clip (bench/.work, 720p30 H.264 2.5 Mbps, 2 s GOP, no B-frames, AAC) is published with
 * `ffmpeg -re -stream_loop -1 -c copy` pinned to core 1. Everything runs on 127.0.0.1 with ports the
 * OS picks; ffmpeg and Chromium are stopped in `finally`. One JSON line on stdout, also written to
 * bench/results/hls-latency-DATE.json; progress on stderr.
 */
import { launchChromium, type TestBrowser } from '../test/helpers/browser.js';
import { parseCli } from './lib/cli.js';
import { ensureClip } from './lib/clip.js';
import { startBenchServer, type BenchServer } from './lib/hls-server.js';
import { measurePartDelivery, measureSegmentListing } from './lib/hls-part-timing.js';
import { measurePlayerLatency, type PlayerLatencyResult } from './lib/hls-player.js';
import type { Child } from './lib/procs.js';
import { startPublisher } from './lib/publisher.js';
import { machineInfo, publishResult } from './lib/results.js';

const LOAD_CORE = 1;
const STREAM = 'bench';
const log = (msg: string): boolean => process.stderr.write(`hls-latency: ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const LL_HLS = { low_latency: true, part_duration_seconds: 0.3, segment_duration_seconds: 2, segment_format: 'fmp4' };
const PLAIN_HLS = { low_latency: false, segment_duration_seconds: 2, segment_format: 'fmp4' };

function options() {
  const v = parseCli({
    window: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '4' },
    'player-warmup': { type: 'string', default: '10' },
    'player-samples': { type: 'string', default: '10' },
    'skip-player': { type: 'boolean', default: false },
  });
  return {
    windowMs: Number(v.window) * 1000,
    warmupMs: Number(v.warmup) * 1000,
    playerWarmupMs: Number(v['player-warmup']) * 1000,
    playerSamples: Number(v['player-samples']),
    skipPlayer: v['skip-player'],
  };
}

/** A server with `hls` config and the clip publishing to it; `run` gets both, everything stops after. */
async function withLiveStream<T>(clip: string, hls: Record<string, unknown>, tag: string, warmupMs: number, run: (s: BenchServer) => Promise<T>): Promise<T> {
  const server = await startBenchServer(hls, STREAM);
  let publisher: Child | undefined;
  try {
    publisher = startPublisher({ clip, url: server.rtmpUrl(STREAM), core: LOAD_CORE, maxSeconds: 600, logTag: `hls-latency-${tag}` });
    const deadline = Date.now() + 15_000;
    while (server.tap.cuts.size === 0) {
      if (Date.now() > deadline) throw new Error(`${tag}: no HLS part within 15 s of publishing`);
      await sleep(100);
    }
    await sleep(warmupMs);
    return await run(server);
  } finally {
    await publisher?.stop();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const o = options();
  const date = new Date().toISOString();
  const clip = await ensureClip();

  log(`(a) LL-HLS part delivery, ${o.windowMs / 1000} s window`);
  const parts = await withLiveStream(clip.path, LL_HLS, 'parts', o.warmupMs, (s) => measurePartDelivery(s.httpUrl(`/live/${STREAM}/source/index.m3u8`), s.tap, o.windowMs));
  log(`(a) blocking reload p50 ${parts.blocking_reload_since_last_frame_ms.p50} ms since last frame, ${parts.blocking_reload_since_cut_ms.p50} ms since cut`);

  log('(a) plain HLS segment listing, polled every 20 ms');
  const plainWindowMs = Math.max(12_000, o.windowMs / 2);
  const listing = await withLiveStream(clip.path, PLAIN_HLS, 'segments', o.warmupMs, (s) => measureSegmentListing(s.httpUrl(`/live/${STREAM}/source/index.m3u8`), s.tap, plainWindowMs));
  log(`(a) plain segments listed p50 ${listing.listed_since_cut_ms.p50} ms after the cut`);

  const players: Record<string, PlayerLatencyResult> = {};
  if (!o.skipPlayer) {
    let browser: TestBrowser | undefined;
    try {
      browser = await launchChromium();
      for (const [name, hls] of [['ll_hls', LL_HLS], ['hls_2s_segments', PLAIN_HLS]] as const) {
        log(`(b) hls.js in Chromium, ${name}`);
        const b = browser;
        players[name] = await withLiveStream(clip.path, hls, `player-${name}`, 0, (s) => measurePlayerLatency(b, s.httpUrl(`/watch/${STREAM}`), s.tap, o.playerWarmupMs, o.playerSamples));
        log(`(b) ${name}: hls.latency median ${players[name]?.hls_latency_s} s, glass-to-glass ~${players[name]?.glass_to_glass_s} s`);
      }
    } finally {
      await browser?.close();
    }
  }

  const ll = players['ll_hls'];
  publishResult('hls-latency', {
    bench: 'hls-latency',
    date,
    machine: machineInfo(),
    clip,
    config: { ll_hls: LL_HLS, plain_hls: PLAIN_HLS },
    part_delivery: parts,
    plain_segment_listing: listing,
    player: players,
    goals: {
      // The measure: part listed on a blocking reload − its last frame entered the hub.
      added_since_last_frame_p95_under_50ms: parts.blocking_reload_since_last_frame_ms.p95 < 50,
      // What the server itself adds once the part exists (the rest is waiting for the next frame).
      added_since_cut_p99_under_50ms: parts.blocking_reload_since_cut_ms.p99 < 50,
      ll_hls_player_latency_under_1_5s: ll === undefined ? null : ll.hls_latency_s < 1.5,
    },
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`hls-latency: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
