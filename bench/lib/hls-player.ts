import type { Page } from 'playwright-core';
import { watchPageSnapshot, type TestBrowser, type WatchPageSnapshot } from '../../test/helpers/browser.js';
import type { HubTap } from './hls-server.js';
import { median } from './summary.js';

/** What hls.js in Chromium reports while playing the watch page (seconds unless named otherwise). */
export interface PlayerLatencyResult {
  samples: number;
  /** Median of `hls.latency`: distance from the playhead to the live edge of the playlist hls.js holds. */
  hls_latency_s: number;
  hls_latency_min_s: number;
  hls_latency_max_s: number;
  target_latency_s: number;
  /** Median of Date.now() − hls.playingDate (PROGRAM-DATE-TIME of the playhead). */
  pdt_latency_s: number | null;
  /**
   * How much later than its first frame entered the hub the server stamps a segment's
   * PROGRAM-DATE-TIME (median): PDT-based latency understates glass-to-glass by this much.
   */
  pdt_stamp_lag_s: number | null;
  /** pdt_latency_s + pdt_stamp_lag_s: playhead behind the moment its frame entered the server. */
  glass_to_glass_s: number | null;
  playback_rate_max: number;
  stalls: number;
  dropped_frames: number;
  errors: Record<string, number>;
  startup_s: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Opens the watch page, waits for playback plus `warmupMs`, then samples the player once a second
 * `samples` times.
 */
export async function measurePlayerLatency(browser: TestBrowser, pageUrl: string, tap: HubTap, warmupMs: number, samples: number): Promise<PlayerLatencyResult> {
  const { page } = await browser.newPage();
  try {
    const openedAt = Date.now();
    await page.goto(pageUrl);
    const startup = await waitPlaying(page, 30_000);
    const startupS = (startup.now - openedAt) / 1000;
    await sleep(warmupMs);
    const snaps: WatchPageSnapshot[] = [];
    for (let i = 0; i < samples; i++) {
      snaps.push(await watchPageSnapshot(page));
      await sleep(1000);
    }
    const last = snaps[snaps.length - 1] as WatchPageSnapshot;
    const latencies = snaps.map((s) => s.latency).filter((x): x is number => x !== null);
    const pdt = snaps.filter((s) => s.playingDate !== null).map((s) => (s.now - (s.playingDate as number)) / 1000);
    const lags = tap.segments.map((s) => (s.programDateTime - s.firstFrameWall) / 1000);
    const pdtLatency = pdt.length > 0 ? median(pdt) : null;
    const stampLag = lags.length > 0 ? median(lags) : null;
    const errors: Record<string, number> = {};
    for (const e of last.errors) {
      const key = `${e.details}${e.fatal ? ' (fatal)' : ''}`;
      errors[key] = (errors[key] ?? 0) + 1;
    }
    return {
      samples: snaps.length,
      hls_latency_s: r3(median(latencies)),
      hls_latency_min_s: r3(Math.min(...latencies)),
      hls_latency_max_s: r3(Math.max(...latencies)),
      target_latency_s: r3(median(snaps.map((s) => s.targetLatency ?? Number.NaN))),
      pdt_latency_s: pdtLatency === null ? null : r3(pdtLatency),
      pdt_stamp_lag_s: stampLag === null ? null : r3(stampLag),
      glass_to_glass_s: pdtLatency === null || stampLag === null ? null : r3(pdtLatency + stampLag),
      playback_rate_max: Math.max(...snaps.map((s) => s.playbackRate)),
      stalls: last.stalls,
      dropped_frames: last.droppedFrames,
      errors,
      startup_s: r3(startupS),
    };
  } finally {
    await page.close();
  }
}

async function waitPlaying(page: Page, timeoutMs: number): Promise<WatchPageSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let snap = await watchPageSnapshot(page);
  while (!(snap.state === 'live' && snap.currentTime > 0)) {
    if (Date.now() > deadline) throw new Error(`the watch page did not start playing: ${JSON.stringify(snap)}`);
    await sleep(100);
    snap = await watchPageSnapshot(page);
  }
  return snap;
}
