import { mkdtemp, writeFile } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ViewerEvent } from '../src/index.js';
import { checkTransportStream } from '../src/media/index.js';
import { makeClip } from './helpers/clip.js';
import { probe, publishClip, rate, spawnFfmpeg, type FfmpegProcess } from './helpers/ffmpeg.js';
import { getBytes, getText, parseMediaPlaylist, rawGet } from './helpers/hls.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

async function tempFile(name: string, bytes: Buffer): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'zenlive-hls-')), name);
  await writeFile(file, bytes);
  return file;
}

describe('LL-HLS with fMP4 segments (default)', () => {
  let server: TestServer;
  let publisher: FfmpegProcess;
  const joined: ViewerEvent[] = [];
  let base: string;

  beforeAll(async () => {
    const clip = await makeClip();
    server = await startTestServer({ streaming: { enable_hls: true } });
    server.live.on('viewerJoined', (v) => joined.push(v));
    publisher = publishClip(clip, server.rtmpUrl('hls'));
    base = server.httpUrl('/live/hls/source/');
    // Two complete segments: enough for every check below.
    await waitFor(async () => {
      const res = await fetch(`${base}index.m3u8`);
      return res.status === 200 && parseMediaPlaylist(await res.text()).segments.length >= 2;
    }, 'two segments', 15_000);
  });

  afterAll(async () => {
    await publisher?.stop();
    await server?.stop();
  });

  it('lists the source in a master playlist with bandwidth, codecs, resolution and frame rate', async () => {
    const master = await getText(server.httpUrl('/live/hls/index.m3u8'));
    const inf = master.split('\n').find((l) => l.startsWith('#EXT-X-STREAM-INF:')) ?? '';
    expect(inf).toMatch(/BANDWIDTH=\d{6,}/);
    expect(inf).toMatch(/AVERAGE-BANDWIDTH=\d+/);
    expect(inf).toContain('CODECS="avc1.64001f,mp4a.40.2"');
    expect(inf).toContain('RESOLUTION=1280x720');
    expect(inf).toContain('FRAME-RATE=30.000');
    expect(master).toMatch(/\nsource\/index\.m3u8\?s=[a-z0-9]+\n/);
  });

  it('writes an LL-HLS media playlist: target duration, parts within the part target, server control, preload hint', async () => {
    const p = parseMediaPlaylist(await getText(`${base}index.m3u8`));
    expect(p.targetDuration).toBe(2);
    expect(p.text).toContain('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.900,CAN-SKIP-UNTIL=12.0');
    expect(p.text).toContain('#EXT-X-PART-INF:PART-TARGET=0.300');
    expect(p.text).toMatch(/#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT/);
    for (const s of p.segments) expect(Math.round(s.duration)).toBeLessThanOrEqual(p.targetDuration);
    for (const s of p.segments) expect(s.duration).toBeGreaterThan(1.5);
    expect(p.parts.length).toBeGreaterThan(5);
    for (const part of p.parts) expect(part.duration).toBeLessThanOrEqual(0.3 + 0.01);
    expect(p.parts.filter((x) => x.independent).length).toBeGreaterThanOrEqual(1);
    expect(p.preloadHint).toMatch(/^[a-z0-9]+-\d+\.\d+\.m4s$/);
    expect(p.map).toMatch(/init-1\.mp4$/);
  });

  it('serves segments ffprobe reads: codecs, size, 60 frames per 2 s segment', async () => {
    const p = parseMediaPlaylist(await getText(`${base}index.m3u8`));
    const init = await getBytes(base + p.map);
    const seg = await getBytes(base + (p.segments[0]?.uri as string));
    const file = await tempFile('seg.mp4', Buffer.concat([init, seg]));
    const streams = await probe(file, ['-count_frames']);
    const v = streams.find((s) => s.codec_type === 'video');
    const a = streams.find((s) => s.codec_type === 'audio');
    expect([v?.codec_name, v?.width, v?.height]).toEqual(['h264', 1280, 720]);
    expect(rate(v?.r_frame_rate)).toBeCloseTo(30, 0);
    expect(Number(v?.nb_read_frames)).toBe(60);
    expect([a?.codec_name, a?.sample_rate]).toEqual(['aac', '44100']);
  });

  it('parts joined in order are the segment, byte for byte', async () => {
    const p = parseMediaPlaylist(await getText(`${base}index.m3u8`));
    const last = p.segments[p.segments.length - 1] as { uri: string };
    const msn = /-(\d+)\.m4s$/.exec(last.uri)?.[1];
    const partUris = p.parts.map((x) => x.uri).filter((u) => u.includes(`-${msn}.`));
    expect(partUris.length).toBeGreaterThan(3);
    const parts = await Promise.all(partUris.map((u) => getBytes(base + u)));
    expect(Buffer.concat(parts).equals(await getBytes(base + last.uri))).toBe(true);
  });

  it('ffmpeg reads the live stream end to end through the master playlist', async () => {
    const reader = spawnFfmpeg(['-v', 'error', '-i', server.httpUrl('/live/hls/index.m3u8'), '-t', '3', '-c', 'copy', '-f', 'null', '-'], 30);
    expect(await reader.exited).toBe(0);
    expect(reader.stderr()).toBe('');
  });

  it('answers a blocking reload as soon as the awaited part exists', async () => {
    const p = parseMediaPlaylist(await getText(`${base}index.m3u8`));
    const [msn, part] = (/-(\d+)\.(\d+)\.m4s$/.exec(p.preloadHint as string) ?? []).slice(1).map(Number) as [number, number];
    const t0 = performance.now();
    const res = await fetch(`${base}index.m3u8?_HLS_msn=${msn}&_HLS_part=${part}`);
    const waited = performance.now() - t0;
    expect(res.status).toBe(200);
    const next = parseMediaPlaylist(await res.text());
    expect(next.parts.some((x) => x.uri.endsWith(`-${msn}.${part}.m4s`))).toBe(true);
    // The answer lists the awaited part (so it was held until the part existed), within about one part's time.
    expect(waited).toBeLessThan(1500);
    expect(res.headers.get('cache-control')).toContain('max-age');
  });

  it('holds a request for the preload-hinted part until it exists', async () => {
    const p = parseMediaPlaylist(await getText(`${base}index.m3u8`));
    const res = await fetch(base + p.preloadHint);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('serves with CDN-friendly headers: content types, cache control, ETag/304, HEAD, Range, CORS', async () => {
    const playlist = await fetch(`${base}index.m3u8`);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toBe('public, max-age=1');
    expect(playlist.headers.get('access-control-allow-origin')).toBe('*');
    const p = parseMediaPlaylist(await playlist.text());
    const segUrl = base + (p.segments[0]?.uri as string);
    const seg = await fetch(segUrl);
    const bytes = Buffer.from(await seg.arrayBuffer());
    expect(seg.headers.get('content-type')).toBe('video/mp4');
    expect(seg.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = seg.headers.get('etag') as string;
    expect(etag).toMatch(/^"[a-z0-9]+-\d+"$/);
    expect((await fetch(segUrl, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const head = await fetch(segUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(bytes.length);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const range = await fetch(segUrl, { headers: { range: 'bytes=100-199' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.from(await range.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    expect((await fetch(segUrl, { headers: { range: `bytes=${bytes.length + 5}-` } })).status).toBe(416);
    const preflight = await fetch(`${base}index.m3u8`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
  });

  it('serves playlists, segments and the API one after another on one keep-alive connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const fetchOn = (path: string): Promise<{ status: number; body: Buffer; reused: boolean; type: string }> =>
      new Promise((resolve, reject) => {
        const req = get(server.httpUrl(path), { agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), reused: req.reusedSocket, type: String(res.headers['content-type']) }));
        });
        req.on('error', reject);
      });
    try {
      const playlist = await fetchOn('/live/hls/source/index.m3u8');
      const seg = parseMediaPlaylist(playlist.body.toString()).segments.at(-1)?.uri as string;
      const api = await fetchOn('/api/v1/streams/hls');
      const segment = await fetchOn(`/live/hls/source/${seg}`);
      const again = await fetchOn('/live/hls/source/index.m3u8');
      expect([playlist.status, api.status, segment.status, again.status]).toEqual([200, 200, 200, 200]);
      expect([api.reused, segment.reused, again.reused]).toEqual([true, true, true]);
      expect(playlist.type).toBe('application/vnd.apple.mpegurl');
      expect((JSON.parse(api.body.toString()) as { id: string }).id).toBe('hls');
      expect(segment.body.equals(await getBytes(`${base}${seg}`))).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('answers pipelined requests in order, whole, behind segments a client is not yet reading', async () => {
    const p = parseMediaPlaylist(await getText(`${base}index.m3u8`));
    const seg = p.segments.at(-1)?.uri as string;
    const expected = await getBytes(`${base}${seg}`);
    // Three requests in one write: two segments (the second may not fit the socket buffer while
    // this client is not reading) then a playlist, which must come after both, each complete.
    const socket = connect(Number(new URL(server.httpUrl('/')).port), '127.0.0.1');
    const request = (path: string): string => `GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`;
    socket.write(request(`/live/hls/source/${seg}`) + request(`/live/hls/source/${seg}`) + request('/live/hls/source/index.m3u8'));
    socket.pause();
    await new Promise((r) => setTimeout(r, 200));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.resume();
    const responses: { status: number; body: Buffer }[] = [];
    await waitFor(() => {
      responses.length = 0;
      let all = Buffer.concat(chunks);
      while (all.length > 0) {
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) return false;
        const headText = all.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(headText)?.[1]);
        if (all.length < end + 4 + length) return false;
        responses.push({ status: Number(headText.slice(9, 12)), body: all.subarray(end + 4, end + 4 + length) });
        all = all.subarray(end + 4 + length);
      }
      return responses.length === 3;
    }, 'three pipelined responses');
    socket.destroy();
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(responses[0]?.body.equals(expected)).toBe(true);
    expect(responses[1]?.body.equals(expected)).toBe(true);
    expect(responses[2]?.body.toString()).toContain('#EXTM3U');
  });

  it('answers bad requests with 4xx JSON and changes nothing', async () => {
    const port = server.live.httpPort as number;
    const before = await getText(`${base}index.m3u8`);
    const cases: Array<[string, number]> = [
      ['/live/hls/source/index.m3u8?_HLS_msn=999999999', 400],
      ['/live/hls/source/index.m3u8?_HLS_msn=-1', 400],
      ['/live/hls/source/index.m3u8?_HLS_msn=1e3', 400],
      ['/live/hls/source/index.m3u8?_HLS_part=1', 400],
      ['/live/hls/source/index.m3u8?_HLS_msn=1&_HLS_skip=maybe', 400],
      ['/live/hls/1080p/index.m3u8', 404],
      ['/live/nope/index.m3u8', 404],
      ['/live/hls/source/..%2f..%2f..%2fetc%2fpasswd', 404],
      ['/live/hls/source/../../../etc/passwd', 404],
      ['/live/hls/source/zzz-0.m4s', 404],
      ['/live/hls/source/99999.m4s', 404],
    ];
    for (const [path, status] of cases) {
      const res = await rawGet(port, path);
      expect(res.status, path).toBe(status);
      expect((JSON.parse(res.body) as { error: { code: string } }).error.code, path).toMatch(/^[A-Z_]+$/);
    }
    const after = parseMediaPlaylist(await getText(`${base}index.m3u8`));
    expect(after.mediaSequence).toBe(parseMediaPlaylist(before).mediaSequence);
    expect(server.live.streams.get('hls')?.state).toBe('LIVE');
  });

  it('counts HLS viewers per session in events and the streams API', async () => {
    const master = await getText(server.httpUrl('/live/hls/index.m3u8'));
    const variant = master.split('\n').find((l) => l.startsWith('source/')) as string;
    await getText(server.httpUrl(`/live/hls/${variant}`));
    await getText(server.httpUrl(`/live/hls/${variant}`));
    await waitFor(() => joined.some((v) => v.protocol === 'hls' && v.streamId === 'hls'), 'hls viewerJoined');
    const token = /s=([a-z0-9]+)/.exec(variant)?.[1] as string;
    expect(joined.filter((v) => v.viewerId === `hls-${token}`)).toHaveLength(1);
    expect(server.live.streams.get('hls')?.viewers.hls).toBeGreaterThanOrEqual(1);
  });
});

describe('HLS lifecycle', () => {
  let server: TestServer | undefined;
  const children: FfmpegProcess[] = [];
  let clip: string;

  beforeAll(async () => {
    clip = await makeClip();
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await server?.stop();
    server = undefined;
  });

  async function segments(s: TestServer, id: string, min: number): Promise<void> {
    await waitFor(async () => {
      const res = await fetch(s.httpUrl(`/live/${id}/source/index.m3u8`));
      return res.status === 200 && parseMediaPlaylist(await res.text()).segments.length >= min;
    }, `${min} segments`, 20_000);
  }

  it('MPEG-TS segments pass ffprobe and the transport stream checker (continuity, PCR)', async () => {
    server = await startTestServer({ streaming: { enable_hls: true, hls: { segment_format: 'mpegts' } } });
    const s = server;
    children.push(publishClip(clip, s.rtmpUrl('ts')));
    await segments(s, 'ts', 2);
    const base = s.httpUrl('/live/ts/source/');
    const p = parseMediaPlaylist(await getText(`${base}index.m3u8`));
    expect(p.map).toBeUndefined();
    const segs = await Promise.all(p.segments.slice(0, 2).map((x) => getBytes(base + x.uri)));
    for (const seg of segs) expect(checkTransportStream(seg).problems).toEqual([]);
    const joinedTs = Buffer.concat(segs);
    expect(checkTransportStream(joinedTs).problems).toEqual([]);
    const file = await tempFile('two.ts', joinedTs);
    const streams = await probe(file, ['-count_frames']);
    const v = streams.find((x) => x.codec_type === 'video');
    expect([v?.codec_name, v?.width, v?.height, Number(v?.nb_read_frames)]).toEqual(['h264', 1280, 720, 120]);
    expect(streams.find((x) => x.codec_type === 'audio')?.codec_name).toBe('aac');
    const decode = spawnFfmpeg(['-v', 'error', '-i', file, '-f', 'null', '-'], 30);
    expect(await decode.exited).toBe(0);
    expect(decode.stderr()).toBe('');
  });

  it('ends the playlist when the stream ends, and ffmpeg then reads it to the end', async () => {
    server = await startTestServer({ streaming: { enable_hls: true, hls: { low_latency: false } } });
    const s = server;
    const pub = publishClip(clip, s.rtmpUrl('fin'));
    children.push(pub);
    await segments(s, 'fin', 2);
    await pub.stop();
    await waitFor(async () => parseMediaPlaylist(await getText(s.httpUrl('/live/fin/source/index.m3u8'))).ended, 'ENDLIST', 10_000);
    const p = parseMediaPlaylist(await getText(s.httpUrl('/live/fin/source/index.m3u8')));
    expect(p.text).not.toContain('#EXT-X-PART');
    const reader = spawnFfmpeg(['-v', 'error', '-i', s.httpUrl('/live/fin/index.m3u8'), '-c', 'copy', '-f', 'null', '-'], 30);
    expect(await reader.exited).toBe(0);
  });

  it('continues the playlist across a republish with a discontinuity and a new map', async () => {
    server = await startTestServer({ streaming: { enable_hls: true } });
    const s = server;
    const first = publishClip(clip, s.rtmpUrl('again'));
    children.push(first);
    await segments(s, 'again', 1);
    await first.stop();
    children.push(publishClip(clip, s.rtmpUrl('again')));
    await waitFor(async () => {
      const p = parseMediaPlaylist(await getText(s.httpUrl('/live/again/source/index.m3u8')));
      return p.discontinuities === 1 && p.segments.length >= 2 && p.text.includes('init-2.mp4');
    }, 'discontinuity after republish', 20_000);
    const p = parseMediaPlaylist(await getText(s.httpUrl('/live/again/source/index.m3u8')));
    expect(p.ended).toBe(false);
  });
});
