import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenditionStatus } from '../src/protocols/hls/index.js';
import { makeClip } from './helpers/clip.js';
import { probe, publishClip, spawnFfmpeg, type FfmpegProcess } from './helpers/ffmpeg.js';
import { getText, parseMediaPlaylist } from './helpers/hls.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

const run = promisify(execFile);

interface RenditionsBody {
  renditions: RenditionStatus[];
  transcodingCpuPercent: number;
}

describe('ABR ladder made by ffmpeg transcoders', () => {
  let server: TestServer;
  let publisher: FfmpegProcess;

  const renditions = async (): Promise<RenditionsBody> => (await (await fetch(server.httpUrl('/api/v1/streams/abr/renditions'))).json()) as RenditionsBody;

  beforeAll(async () => {
    // A red 48×48 logo, laid over the transcoded renditions at the top-left corner.
    const logo = join(await mkdtemp(join(tmpdir(), 'zenlive-wm-')), 'logo.png');
    const made = spawnFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=48x48', '-frames:v', '1', logo], 20);
    expect(await made.exited).toBe(0);
    server = await startTestServer({
      recording: { watermark: { enabled: true, kind: 'image', image_path: logo, width_px: 48, position: 'top-left', margin_px: 0, opacity: 1 } },
      streaming: {
        enable_hls: true,
        hls: { abr: { enabled: true, preset: 'ultrafast', renditions: [{ name: '360p', height: 360, video_bitrate_kbps: 800 }, { name: '240p', height: 240, video_bitrate_kbps: 400, audio_bitrate_kbps: 64 }] } },
      },
    });
    publisher = publishClip(await makeClip(), server.rtmpUrl('abr'));
    await waitFor(async () => {
      const res = await fetch(server.httpUrl('/live/abr/index.m3u8'));
      return res.status === 200 && (await res.text()).split('#EXT-X-STREAM-INF').length === 4;
    }, 'three variants', 30_000);
  });

  afterAll(async () => {
    await publisher?.stop();
    await server?.stop();
  });

  it('lists every rendition in the master playlist with bandwidth, resolution, frame rate and codecs, best first', async () => {
    const master = await getText(server.httpUrl('/live/abr/index.m3u8'));
    const infs = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
    expect(infs.map((l) => /RESOLUTION=(\d+x\d+)/.exec(l)?.[1])).toEqual(['1280x720', '640x360', '426x240']);
    const bandwidths = infs.map((l) => Number(/BANDWIDTH=(\d+)/.exec(l)?.[1]));
    expect([...bandwidths].sort((a, b) => b - a)).toEqual(bandwidths);
    for (const l of infs) {
      expect(l).toMatch(/AVERAGE-BANDWIDTH=\d+/);
      expect(l).toMatch(/CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
      expect(l).toContain('FRAME-RATE=30.000');
    }
  });

  it('lays the configured watermark over transcoded renditions and leaves the source untouched', async () => {
    const pixel = async (name: string): Promise<number[]> => {
      // One decoded frame, an 8×8 block near the top-left corner averaged to one RGB pixel.
      const { stdout } = await run('timeout', ['20', 'ffmpeg', '-v', 'error', '-i', server.httpUrl(`/live/abr/${name}/index.m3u8`), '-frames:v', '1', '-vf', 'crop=8:8:16:16,scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { encoding: 'buffer' });
      return [...stdout.subarray(0, 3)];
    };
    await waitFor(async () => parseMediaPlaylist(await getText(server.httpUrl('/live/abr/360p/index.m3u8'))).segments.length >= 1, '360p segment', 20_000);
    const [r = 0, g = 255, b = 255] = await pixel('360p');
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
    const [sr = 0, sg = 0, sb = 0] = await pixel('source');
    expect(sr > 200 && sg < 60 && sb < 60).toBe(false);
  });

  it('plays every rendition', async () => {
    for (const [name, height] of [['source', 720], ['360p', 360], ['240p', 240]] as const) {
      await waitFor(async () => parseMediaPlaylist(await getText(server.httpUrl(`/live/abr/${name}/index.m3u8`))).segments.length >= 1, `${name} segment`, 20_000);
      const streams = await probe(server.httpUrl(`/live/abr/${name}/index.m3u8`));
      const v = streams.find((s) => s.codec_type === 'video');
      expect([name, v?.codec_name, v?.height]).toEqual([name, 'h264', height]);
      expect(streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac')).toBe(true);
    }
  });

  it('reports the CPU each transcoder uses', async () => {
    await waitFor(async () => (await renditions()).transcodingCpuPercent > 0, 'cpu sampled', 10_000);
    const body = await renditions();
    expect(body.renditions.map((r) => r.name)).toEqual(['source', '360p', '240p']);
    expect(body.renditions[0]?.transcoder).toBeNull();
    for (const r of body.renditions.slice(1)) expect(r.transcoder?.pid).toBeGreaterThan(0);
  });

  it('restarts a transcoder that is killed, without disturbing the source rendition', async () => {
    const before = await renditions();
    const victim = before.renditions.find((r) => r.name === '360p')?.transcoder?.pid as number;
    const sourceBefore = parseMediaPlaylist(await getText(server.httpUrl('/live/abr/source/index.m3u8')));
    // Parts are listed only for the newest segments, so progress is counted in whole segments.
    const sourceSegmentsBefore = sourceBefore.mediaSequence + sourceBefore.segments.length;
    process.kill(victim, 'SIGKILL');
    await waitFor(async () => {
      const t = (await renditions()).renditions.find((r) => r.name === '360p')?.transcoder;
      return t?.restarts === 1 && t.pid !== victim && t.pid !== null;
    }, 'transcoder restarted', 15_000);
    const p360 = parseMediaPlaylist(await getText(server.httpUrl('/live/abr/360p/index.m3u8')));
    const msnAfterKill = p360.segments.length + p360.mediaSequence;
    await waitFor(async () => {
      const p = parseMediaPlaylist(await getText(server.httpUrl('/live/abr/360p/index.m3u8')));
      return p.segments.length + p.mediaSequence > msnAfterKill;
    }, 'new 360p segments after the restart', 20_000);
    // The source kept its parts flowing the whole time.
    const sourceAfter = parseMediaPlaylist(await getText(server.httpUrl('/live/abr/source/index.m3u8')));
    expect(sourceAfter.mediaSequence + sourceAfter.segments.length).toBeGreaterThan(sourceSegmentsBefore);
    expect(sourceAfter.discontinuities).toBe(0);
    expect(server.live.streams.get('abr')?.state).toBe('LIVE');
  });
});

describe('ABR on request', () => {
  it('starts transcoding only when the master playlist is first requested', async () => {
    const server = await startTestServer({
      streaming: { enable_hls: true, hls: { abr: { enabled: true, start: 'on-request', preset: 'ultrafast', renditions: [{ name: '240p', height: 240, video_bitrate_kbps: 300 }] } } },
    });
    const publisher = publishClip(await makeClip(), server.rtmpUrl('lazy'));
    try {
      await waitFor(() => server.live.streams.get('lazy')?.state === 'LIVE', 'live');
      await new Promise((r) => setTimeout(r, 1500));
      const status = async (): Promise<RenditionsBody> => (await (await fetch(server.httpUrl('/api/v1/streams/lazy/renditions'))).json()) as RenditionsBody;
      expect((await status()).renditions.map((r) => r.name)).toEqual(['source']);
      await getText(server.httpUrl('/live/lazy/index.m3u8'));
      await waitFor(async () => (await status()).renditions.some((r) => r.name === '240p' && r.transcoder?.pid !== null), 'transcoder started', 10_000);
      await waitFor(async () => (await getText(server.httpUrl('/live/lazy/index.m3u8'))).includes('240p/index.m3u8'), '240p listed', 20_000);
    } finally {
      await publisher.stop();
      await server.stop();
    }
  });
});
