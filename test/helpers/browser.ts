import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium package; playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags from TEST-PEERS.md: headless on a root, GPU-less machine, loopback only, media without prompts. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

/** A headless Chromium with a throw-away profile; always `close()` it (afterAll / finally). */
export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; its console errors and page errors are kept in `logs` of the returned record. */
  newPage(): Promise<{ page: Page; logs: string[] }>;
  close(): Promise<void>;
}

/**
 * Launches /usr/bin/chromium through playwright-core with a fresh profile directory (Playwright
 * refuses `--user-data-dir` in args, hence a persistent context). Fails loudly if Chromium is not
 * installed: browser tests never skip.
 */
export async function launchChromium(options: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing; install Debian's chromium (scripts/provision.sh does) to run browser tests`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'zenlive-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: options.viewport ?? { width: 1280, height: 860 },
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const logs: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') logs.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (err) => logs.push(`pageerror: ${err.message}`));
      return { page, logs };
    },
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** One hls.js error as the watch page records it in `window.zenlive.errors`. */
export interface WatchPageError {
  at: number;
  type: string;
  details: string;
  fatal: boolean;
  status?: number;
  url?: string;
  message?: string;
}

/** What the watch page shows at one moment: the `<video>`, the hls.js instance and the page's own state. */
export interface WatchPageSnapshot {
  now: number;
  state: string;
  mode: string;
  currentTime: number;
  paused: boolean;
  /** Above 1 while hls.js catches up with its target latency. */
  playbackRate: number;
  bufferedAhead: number;
  videoWidth: number;
  videoHeight: number;
  droppedFrames: number;
  stalls: number;
  restarts: number;
  errors: WatchPageError[];
  /** hls.js's estimate of distance to the live edge (seconds), null without hls.js or before it knows. */
  latency: number | null;
  targetLatency: number | null;
  /** PROGRAM-DATE-TIME of the playhead (ms since epoch), when the playlist carries it. */
  playingDate: number | null;
  /** Whether hls.js sees LL-HLS parts in the playlist. */
  lowLatencyParts: boolean | null;
}

// A string, not a function: the test transpiler may add helpers to functions that do not exist in the page.
const SNAPSHOT_SCRIPT = `(() => {
  const v = document.querySelector('video');
  const p = window.zenlive || { state: 'no-page-state', mode: 'none', errors: [], stalls: 0, restarts: 0 };
  const h = window.zenliveHls;
  const b = v.buffered;
  const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : { droppedVideoFrames: 0 };
  const details = h && h.levels && h.currentLevel >= 0 && h.levels[h.currentLevel] ? h.levels[h.currentLevel].details : null;
  return {
    now: Date.now(),
    state: p.state, mode: p.mode, stalls: p.stalls, restarts: p.restarts, errors: p.errors.slice(),
    currentTime: v.currentTime, paused: v.paused, playbackRate: v.playbackRate,
    bufferedAhead: b.length > 0 ? Math.max(0, b.end(b.length - 1) - v.currentTime) : 0,
    videoWidth: v.videoWidth, videoHeight: v.videoHeight, droppedFrames: q.droppedVideoFrames,
    latency: h && Number.isFinite(h.latency) ? h.latency : null,
    targetLatency: h && Number.isFinite(h.targetLatency) ? h.targetLatency : null,
    playingDate: h && h.playingDate ? h.playingDate.getTime() : null,
    lowLatencyParts: details ? details.partList !== null && details.partList.length > 0 : null,
  };
})()`;

/** Reads the watch page's player state. */
export async function watchPageSnapshot(page: Page): Promise<WatchPageSnapshot> {
  return (await page.evaluate(SNAPSHOT_SCRIPT)) as WatchPageSnapshot;
}
