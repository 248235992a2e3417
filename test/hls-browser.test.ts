import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchPageSnapshot, type TestBrowser, type WatchPageSnapshot } from './helpers/browser.js';
import { makeClip } from './helpers/clip.js';
import { publishClip, type FfmpegProcess } from './helpers/ffmpeg.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', '.work', 'watch.png');

type HlsConfig = { segment_format?: 'fmp4' | 'mpegts'; low_latency?: boolean };

describe('the watch page plays ZenLive HLS in Chromium with hls.js (real ffmpeg publisher)', () => {
  let browser: TestBrowser;
  let clip: string;
  let server: TestServer | undefined;
  let publisher: FfmpegProcess | undefined;

  beforeAll(async () => {
    [clip, browser] = await Promise.all([makeClip(), launchChromium()]);
  });

  afterEach(async () => {
    await publisher?.stop();
    await server?.stop();
    publisher = undefined;
    server = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function startServer(hls: HlsConfig): Promise<TestServer> {
    server = await startTestServer({ streaming: { enable_hls: true, hls } });
    return server;
  }

  async function publish(s: TestServer, id: string): Promise<void> {
    publisher = publishClip(clip, s.rtmpUrl(id), 60);
    await waitFor(() => s.live.streams.get(id)?.state === 'LIVE', `${id} to go live`);
  }

  async function waitForPlayback(page: Page, timeoutMs = 20_000): Promise<WatchPageSnapshot> {
    let last: WatchPageSnapshot | undefined;
    try {
      await waitFor(async () => {
        last = await watchPageSnapshot(page);
        return last.state === 'live' && last.currentTime > 0.2;
      }, 'the video to play', timeoutMs);
    } catch (err) {
      throw new Error(`not playing; page state: ${JSON.stringify(last)}`, { cause: err });
    }
    return last as WatchPageSnapshot;
  }

  /** Watches for `ms` and checks the playhead moved with the clock and hls.js raised nothing fatal. */
  async function expectAdvancing(page: Page, ms = 3000): Promise<WatchPageSnapshot> {
    const before = await watchPageSnapshot(page);
    await page.waitForTimeout(ms);
    const after = await watchPageSnapshot(page);
    const fatal = after.errors.filter((e) => e.fatal);
    const other = after.errors.filter((e) => !e.fatal);
    if (other.length > 0) console.warn('hls.js non-fatal errors:', JSON.stringify(other));
    expect(fatal).toEqual([]);
    // Appends that add nothing, or holes hls.js must jump, mean the media timeline has gaps. One
    // exception: a player starting at 0 may skip the first fraction of a second, because with
    // B-frames the first picture is presented a few frames after the first audio sample.
    const startupSkip = (e: { details?: string; message?: string }): boolean => e.details === 'bufferSeekOverHole' && /seeking from 0 to 0\.\d+/.test(e.message ?? '');
    const holes = after.errors.filter((e) => e.details === 'bufferAppendNoProgress' || (e.details === 'bufferSeekOverHole' && !startupSkip(e)));
    expect(holes, 'hls.js found gaps in the appended media').toEqual([]);
    expect(after.currentTime - before.currentTime).toBeGreaterThan((ms / 1000) * 0.6);
    expect(after.videoWidth).toBe(1280);
    expect(after.videoHeight).toBe(720);
    return after;
  }

  it('LL-HLS (fMP4 parts): the video advances and hls.js measures a live latency under 5 s', async () => {
    const s = await startServer({});
    await publish(s, 'demo');
    const { page, logs } = await browser.newPage();
    await page.goto(s.httpUrl('/watch/demo'));
    try {
      await waitForPlayback(page);
      const snap = await expectAdvancing(page);
      expect(snap.mode).toBe('hls.js');
      expect(snap.lowLatencyParts).toBe(true);
      console.info(`LL-HLS: hls.latency ${snap.latency?.toFixed(3)} s, targetLatency ${snap.targetLatency?.toFixed(3)} s, buffer ${snap.bufferedAhead.toFixed(2)} s, stalls ${snap.stalls}`);
      expect(typeof snap.latency).toBe('number');
      expect(snap.latency).toBeGreaterThan(0);
      expect(snap.latency).toBeLessThan(5);
      expect(logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    } finally {
      // Kept whatever happened: it shows what a viewer saw (bench/.work is not committed).
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      await page.close();
    }
  });

  it('plain HLS (no parts): a viewer who came before the streamer sees "offline", then the stream plays', async () => {
    const s = await startServer({ low_latency: false });
    const { page } = await browser.newPage();
    await page.goto(s.httpUrl('/watch/later'));
    await waitFor(async () => (await watchPageSnapshot(page)).state === 'offline', 'the page to say offline', 5000);
    expect(await page.textContent('#state')).toContain('Offline');
    await publish(s, 'later');
    await waitForPlayback(page, 25_000);
    const snap = await expectAdvancing(page);
    expect(snap.lowLatencyParts).toBe(false);
    console.info(`plain HLS: hls.latency ${snap.latency?.toFixed(3)} s, targetLatency ${snap.targetLatency?.toFixed(3)} s`);
    await page.close();
  });

  it('LL-HLS with MPEG-TS segments: hls.js plays', async () => {
    const s = await startServer({ segment_format: 'mpegts' });
    await publish(s, 'ts');
    const { page } = await browser.newPage();
    await page.goto(s.httpUrl('/watch/ts'));
    await waitForPlayback(page);
    const snap = await expectAdvancing(page);
    console.info(`MPEG-TS LL-HLS: hls.latency ${snap.latency?.toFixed(3)} s`);
    await page.close();
  });

  it('serves hls.js with a long cache and refuses a watch page for an impossible stream id', async () => {
    const s = await startServer({});
    const js = await fetch(s.httpUrl('/assets/hls.min.js'));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('max-age=31536000');
    expect((await js.text()).length).toBeGreaterThan(100_000);
    const bad = await fetch(s.httpUrl('/watch/no%20spaces%3Cscript%3E'));
    expect(bad.status).toBe(404);
    const body = (await bad.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.details).toEqual({});
    const page = await fetch(s.httpUrl('/watch/not-live-yet'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('"playlist":"/live/not-live-yet/index.m3u8"');
  });
});
