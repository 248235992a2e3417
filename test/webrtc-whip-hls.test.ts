import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from './helpers/browser.js';
import { probe } from './helpers/ffmpeg.js';
import { getText, parseMediaPlaylist } from './helpers/hls.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';
import { WHIP_PUBLISH } from './helpers/webrtc-pages.js';

describe('a browser publishing by WHIP is watchable over HLS', () => {
  let browser: TestBrowser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer({ streaming: { enable_hls: true, enable_webrtc: true, webrtc: { bind_address: '127.0.0.1' } } });
  });

  afterAll(async () => {
    for (const p of browser?.context.pages() ?? []) await p.close();
    await browser?.close();
    await server?.stop();
  });

  it('Chromium publishes H.264 + Opus by WHIP; ffprobe reads the HLS rendition as H.264 + AAC at the camera size', async () => {
    const { page } = await browser.newPage();
    await page.goto(server.httpUrl('/healthz'));
    const published = (await page.evaluate(`(${WHIP_PUBLISH})(${JSON.stringify(server.httpUrl('/whip/browser-cam'))})`)) as { status: number; body?: string };
    expect(published.status, published.body).toBe(201);
    const playlist = server.httpUrl('/live/browser-cam/source/index.m3u8');
    await waitFor(async () => {
      const res = await fetch(playlist);
      return res.status === 200 && parseMediaPlaylist(await res.text()).segments.length >= 2;
    }, 'two HLS segments from the WHIP stream', 40_000);
    const media = parseMediaPlaylist(await getText(playlist));
    expect(media.segments.every((s) => s.duration > 0 && s.duration < 12)).toBe(true);
    const streams = await probe(server.httpUrl('/live/browser-cam/index.m3u8'));
    const video = streams.find((s) => s.codec_type === 'video');
    expect([video?.codec_name, video?.width, video?.height]).toEqual(['h264', 640, 360]);
    expect(streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
  });

  it.each([['VP8', 'vp8-cam'], ['VP9', 'vp9-cam']] as const)('a %s-only publisher goes live too: its video reaches HLS as H.264, transcoded by ffmpeg', async (codec, id) => {
    const { page } = await browser.newPage();
    await page.goto(server.httpUrl('/healthz'));
    const published = (await page.evaluate(`(${WHIP_PUBLISH})(${JSON.stringify(server.httpUrl(`/whip/${id}`))}, ${JSON.stringify(`video/${codec}`)})`)) as { status: number; body?: string };
    expect(published.status, published.body).toBe(201);
    // ffmpeg answers after a moment: the video track joins the stream then
    await waitFor(async () => {
      const res = await fetch(server.httpUrl(`/api/v1/streams/${id}`));
      return res.status === 200 && ((await res.json()) as { video?: { codec?: string } | null }).video?.codec === 'h264';
    }, `H.264 video on the ${codec} stream`, 30_000).catch(async (err: unknown) => {
      throw new Error(JSON.stringify(await (await fetch(server.httpUrl(`/api/v1/streams/${id}`))).json()), { cause: err });
    });
    const playlist = server.httpUrl(`/live/${id}/source/index.m3u8`);
    await waitFor(async () => {
      const res = await fetch(playlist);
      const p = parseMediaPlaylist(await res.text());
      return res.status === 200 && p.segments.length >= 2;
    }, `two HLS segments of the ${codec} stream`, 40_000);
    // the stream announced video, so HLS waited for it: no audio-only start, no discontinuity
    expect(parseMediaPlaylist(await getText(playlist)).discontinuities).toBe(0);
    const streams = await probe(server.httpUrl(`/live/${id}/index.m3u8`));
    const video = streams.find((s) => s.codec_type === 'video');
    expect([video?.codec_name, video?.width, video?.height]).toEqual(['h264', 640, 360]);
    expect(streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
    // the master names the measured frame rate (the camera's 30, less when Chromium's encoder is
    // starved on a loaded machine: 9.25 seen), not the transcoder's time base
    const fps = Number(/FRAME-RATE=([\d.]+)/.exec(await getText(server.httpUrl(`/live/${id}/index.m3u8`)))?.[1]);
    expect(fps).toBeGreaterThan(5);
    expect(fps).toBeLessThan(61);
  });
});
