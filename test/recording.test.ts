import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/base/index.js';
import { StreamRegistry } from '../src/hub/index.js';
import { readBoxes } from '../src/media/index.js';
import { RtmpServer } from '../src/protocols/rtmp/index.js';
import {
  LocalStorage,
  Recorder,
  registerRecordingRoutes,
  S3Storage,
  ThumbnailService,
  type RecordingEvent,
  type RecordingMetadata,
  type Storage,
} from '../src/storage/index.js';
import { makeClip } from './helpers/clip.js';
import { spawnFfmpeg, type FfmpegProcess } from './helpers/ffmpeg.js';
import { requireBinary } from './helpers/peers.js';
import { waitFor } from './helpers/server.js';

const run = promisify(execFile);

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; sample_rate?: string }[];
  format: { duration: string; format_name: string };
}

async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await run('timeout', ['-k', '2', '30', 'ffprobe', '-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file]);
  return JSON.parse(stdout) as Probe;
}

/** Decodes every frame (and seeks into the middle): ffmpeg's error log must stay empty. */
async function decodeErrors(file: string, seekSeconds?: number): Promise<string> {
  const seek = seekSeconds !== undefined ? ['-ss', String(seekSeconds)] : [];
  const { stdout, stderr } = await run('timeout', ['-k', '2', '60', 'ffmpeg', '-hide_banner', '-nostdin', '-v', 'error', ...seek, '-i', file, '-f', 'null', '-']);
  return stdout + stderr;
}

/** One decoded frame as RGB24 pixels. */
async function decodeFrameRgb(file: string, atSeconds: number): Promise<Buffer> {
  const { stdout } = await run('timeout', ['-k', '2', '30', 'ffmpeg', '-v', 'error', '-ss', String(atSeconds), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
  });
  return stdout;
}

async function download(storage: Storage, key: string, dir: string, name: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, await buffer((await storage.get(key)).body));
  return file;
}

describe('recording a live RTMP stream', () => {
  const clipSeconds = 20;
  let dir: string;
  let registry: StreamRegistry;
  let rtmp: RtmpServer;
  let http: FastifyInstance;
  let httpBase: string;
  let s3: S3rverInstance;
  let s3Storage: S3Storage;
  let publisher: FfmpegProcess;
  let thumbnails: ThumbnailService;
  const recorders: Recorder[] = [];
  const events: Record<'a' | 'b' | 'c', RecordingEvent[]> = { a: [], b: [], c: [] };
  const storages: Record<'a' | 'b', LocalStorage> = {} as Record<'a' | 'b', LocalStorage>;
  let liveThumbnail: { status: number; type: string | null; bytes: Buffer } | undefined;
  let recordingWhileLive = false;

  beforeAll(async () => {
    requireBinary('ffprobe');
    const clip = await makeClip({ seconds: clipSeconds });
    dir = await mkdtemp(join(tmpdir(), 'zenlive-recording-'));
    const logger = silentLogger();
    registry = new StreamRegistry({
      gopCache: { maxFrames: 1800, maxBytes: 32 << 20 },
      backpressure: { softLimitBytes: 2 << 20, hardLimitBytes: 16 << 20, maxSkipMs: 10_000 },
    });
    rtmp = new RtmpServer({
      host: '127.0.0.1', port: 0, apps: ['live'], chunkSize: 60000, windowAckSize: 5_000_000, maxMessageSize: 8 << 20,
      handshakeTimeoutMs: 5000, idleTimeoutMs: 30_000, maxConnections: 10, registry, logger,
    });
    await rtmp.listen();

    // a red 64×64 logo for the watermarked recorder
    const logo = join(dir, 'logo.png');
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', '-y', logo]);

    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: 'recordings', configs: [] }] });
    const { port: s3Port } = await s3.run();
    s3Storage = new S3Storage({ bucket: 'recordings', region: 'us-east-1', endpoint: `http://127.0.0.1:${s3Port}`, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

    thumbnails = new ThumbnailService({ ffmpegPath: 'ffmpeg', sizes: [{ width: 320, height: 180 }, { width: 160, height: 90 }], formats: ['jpg', 'webp'], intervalMs: 4000, tempDir: dir, logger });
    thumbnails.watchRegistry(registry);
    storages.a = new LocalStorage({ root: join(dir, 'store-a') });
    storages.b = new LocalStorage({ root: join(dir, 'store-b') });
    // A: MP4 + FLV, thumbnails; B: MP4 split every 6 s, watermarked; C: MP4 to S3
    recorders.push(
      new Recorder({ registry, storage: storages.a, tempDir: join(dir, 'tmp-a'), formats: ['mp4', 'flv'], recordAll: true, splitMinutes: 0, thumbnails, onEvent: (e) => events.a.push(e), logger }),
      new Recorder({
        registry, storage: storages.b, tempDir: join(dir, 'tmp-b'), formats: ['mp4'], recordAll: true, splitMinutes: 0.1, logger, onEvent: (e) => events.b.push(e),
        watermark: { ffmpegPath: 'ffmpeg', preset: 'ultrafast', watermark: { kind: 'image', imagePath: logo, position: 'top-left', marginPx: 0, opacity: 1 } },
      }),
      new Recorder({ registry, storage: s3Storage, tempDir: join(dir, 'tmp-c'), formats: ['mp4'], recordAll: true, splitMinutes: 0, logger, onEvent: (e) => events.c.push(e) }),
    );
    for (const r of recorders) await r.start();

    http = Fastify();
    registerRecordingRoutes(http, { catalog: (recorders[0] as Recorder).catalog, recorder: recorders[0] as Recorder, thumbnails });
    await http.listen({ host: '127.0.0.1', port: 0 });
    const address = http.server.address();
    httpBase = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

    // 20 s of 1280×720 H.264 (B-frames) + AAC, sent at 4× real time: the hub does not care, the test is shorter
    publisher = spawnFfmpeg(['-v', 'error', '-readrate', '4', '-i', clip, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${rtmp.port}/live/cam1`], 60);
    await waitFor(async () => {
      if (thumbnails.latest('cam1') === undefined) return false;
      const res = await fetch(`${httpBase}/live/cam1/thumbnail.jpg`);
      liveThumbnail = { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
      recordingWhileLive = (recorders[0] as Recorder).isRecording('cam1');
      return true;
    }, 'a live thumbnail', 20_000);
    expect(await publisher.exited).toBe(0);
    await waitFor(() => events.a.some((e) => e.type === 'recordingFinished') && events.c.some((e) => e.type === 'recordingFinished'), 'recordings A and C stored', 30_000);
    await waitFor(() => registry.size === 0, 'the stream to end', 10_000);
    for (const r of recorders) await r.idle();
  }, 120_000);

  afterAll(async () => {
    await publisher?.stop();
    for (const r of recorders) await r.close();
    await thumbnails?.close();
    await http?.close();
    await rtmp?.close(1000);
    s3Storage?.close();
    await s3?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const finished = (list: RecordingEvent[]): RecordingMetadata[] => list.flatMap((e) => (e.type === 'recordingFinished' ? [e.recording] : []));

  it('announces recordingStarted then recordingFinished, and no failure', () => {
    expect(events.a.map((e) => e.type)).toEqual(['recordingStarted', 'recordingFinished']);
    expect(events.c.map((e) => e.type)).toEqual(['recordingStarted', 'recordingFinished']);
    expect(events.b.filter((e) => e.type === 'recordingFailed')).toEqual([]);
  });

  it('stores a progressive MP4 (moov before mdat) that ffprobe reads as 1280×720 H.264 + AAC of the published length', async () => {
    const meta = finished(events.a)[0] as RecordingMetadata;
    const file = await download(storages.a, `recordings/${meta.id}.mp4`, dir, 'a.mp4');
    const top = readBoxes(await readFile(file)).map((b) => b.type);
    expect(top).toEqual(['ftyp', 'moov', 'mdat']);
    const p = await ffprobe(file);
    const v = p.streams.find((s) => s.codec_type === 'video');
    const a = p.streams.find((s) => s.codec_type === 'audio');
    expect([v?.codec_name, v?.width, v?.height]).toEqual(['h264', 1280, 720]);
    expect([a?.codec_name, a?.sample_rate]).toEqual(['aac', '44100']);
    expect(Math.abs(Number(p.format.duration) - clipSeconds)).toBeLessThan(0.5);
    expect(await decodeErrors(file)).toBe('');
    expect(await decodeErrors(file, 13.3)).toBe('');
  });

  it('stores an FLV of the same stream that decodes without errors', async () => {
    const meta = finished(events.a)[0] as RecordingMetadata;
    const file = await download(storages.a, `recordings/${meta.id}.flv`, dir, 'a.flv');
    const p = await ffprobe(file);
    expect(p.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(p.streams.find((s) => s.codec_type === 'video')?.width).toBe(1280);
    expect(Math.abs(Number(p.format.duration) - clipSeconds)).toBeLessThan(0.5);
    expect(await decodeErrors(file)).toBe('');
  });

  it('writes metadata beside the files: stream, times, duration, size, codecs, resolution, thumbnails', async () => {
    const meta = finished(events.a)[0] as RecordingMetadata;
    expect(meta.streamId).toBe('cam1');
    expect(meta.status).toBe('complete');
    expect(Math.abs(meta.durationMs - clipSeconds * 1000)).toBeLessThan(500);
    expect(Date.parse(meta.endedAt)).toBeGreaterThan(Date.parse(meta.startedAt));
    expect(meta.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(meta.audio).toMatchObject({ codec: 'aac', sampleRate: 44100, channels: 1 });
    expect(meta.files.map((f) => [f.format, f.key])).toEqual([
      ['mp4', `recordings/${meta.id}.mp4`],
      ['flv', `recordings/${meta.id}.flv`],
    ]);
    expect(meta.bytes).toBe(meta.files.reduce((t, f) => t + f.bytes, 0));
    expect(meta.bytes).toBeGreaterThan(2 * 1024 * 1024);
    const stored = JSON.parse((await buffer((await storages.a.get(`recordings/${meta.id}.json`)).body)).toString()) as RecordingMetadata;
    expect(stored).toEqual(meta);
    // the temp folder is empty once the recording is stored
    expect(await readdir(join(dir, 'tmp-a'))).toEqual([]);
  });

  it('stores thumbnails with the recording that decode at the configured sizes, and served the latest while live', async () => {
    expect(recordingWhileLive).toBe(true);
    expect(liveThumbnail?.status).toBe(200);
    expect(liveThumbnail?.type).toBe('image/jpeg');
    const live = join(dir, 'live.jpg');
    await writeFile(live, liveThumbnail?.bytes ?? Buffer.alloc(0));
    expect((await ffprobe(live)).streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 320, height: 180 });

    const meta = finished(events.a)[0] as RecordingMetadata;
    expect(meta.thumbnails.length).toBeGreaterThanOrEqual(4);
    for (const t of meta.thumbnails.slice(0, 4)) {
      const file = await download(storages.a, t.key, dir, `thumb.${t.format}`);
      const s = (await ffprobe(file)).streams[0];
      expect([s?.codec_name, s?.width, s?.height]).toEqual([t.format === 'jpg' ? 'mjpeg' : 'webp', t.width, t.height]);
    }
    expect(new Set(meta.thumbnails.map((t) => `${t.width}x${t.height}.${t.format}`))).toEqual(new Set(['320x180.jpg', '320x180.webp', '160x90.jpg', '160x90.webp']));
  });

  it('splits at keyframes every 6 s into parts that each play, together as long as the stream, watermark visible', async () => {
    const parts = finished(events.b).sort((x, y) => x.part - y.part);
    expect(parts.map((p) => p.part)).toEqual([1, 2, 3, 4]);
    let total = 0;
    for (const part of parts) {
      const file = await download(storages.b, `recordings/${part.id}.mp4`, dir, `b-${part.part}.mp4`);
      expect(await decodeErrors(file)).toBe('');
      total += Number((await ffprobe(file)).format.duration);
      expect(part.watermarked).toBe(true);
    }
    expect(parts.slice(0, 3).map((p) => Math.round(p.durationMs / 1000))).toEqual([6, 6, 6]);
    expect(Math.abs(total - clipSeconds)).toBeLessThan(0.5);
    // the red logo covers the top-left 64×64 pixels; testsrc2 there is not red
    const rgb = await decodeFrameRgb(join(dir, 'b-2.mp4'), 1);
    const pixel = (x: number, y: number): number[] => [...rgb.subarray((y * 1280 + x) * 3, (y * 1280 + x) * 3 + 3)];
    const [r, g, b] = pixel(32, 32);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
    const plain = await decodeFrameRgb(join(dir, 'a.mp4'), 7);
    const [pr, pg, pb] = [...plain.subarray((32 * 1280 + 32) * 3, (32 * 1280 + 32) * 3 + 3)];
    expect(pr !== undefined && pg !== undefined && pb !== undefined && pr > 200 && pg < 60 && pb < 60).toBe(false);
  });

  it('stores the whole recording in S3 (s3rver): the MP4 downloads and plays', async () => {
    const meta = finished(events.c)[0] as RecordingMetadata;
    expect(await s3Storage.stat(`recordings/${meta.id}.json`)).toBeDefined();
    const file = await download(s3Storage, `recordings/${meta.id}.mp4`, dir, 'c.mp4');
    const p = await ffprobe(file);
    expect(p.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Math.abs(Number(p.format.duration) - clipSeconds)).toBeLessThan(0.5);
    expect(await readdir(join(dir, 'tmp-c'))).toEqual([]);
  });

  describe('REST', () => {
    it('lists, gets, downloads with Range, and deletes recordings', async () => {
      const meta = finished(events.a)[0] as RecordingMetadata;
      const list = (await (await fetch(`${httpBase}/api/v1/recordings?stream_id=cam1`)).json()) as { recordings: RecordingMetadata[]; next_cursor: string | null };
      expect(list.recordings.map((r) => r.id)).toEqual([meta.id]);
      expect(list.next_cursor).toBeNull();
      const got = await fetch(`${httpBase}/api/v1/recordings/${meta.id}`);
      expect(await got.json()).toEqual(meta);

      const whole = await readFile(join(dir, 'a.mp4'));
      const ranged = await fetch(`${httpBase}/api/v1/recordings/${meta.id}/download?format=mp4`, { headers: { range: 'bytes=100-1123' } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-range')).toBe(`bytes 100-1123/${whole.length}`);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(whole.subarray(100, 1124))).toBe(true);
      const full = await fetch(`${httpBase}/api/v1/recordings/${meta.id}/download`);
      expect(full.status).toBe(200);
      expect(full.headers.get('accept-ranges')).toBe('bytes');
      expect(Buffer.from(await full.arrayBuffer()).equals(whole)).toBe(true);
      const beyond = await fetch(`${httpBase}/api/v1/recordings/${meta.id}/download`, { headers: { range: `bytes=${whole.length}-` } });
      expect(beyond.status).toBe(416);
      expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.length}`);

      expect((await fetch(`${httpBase}/api/v1/recordings/${meta.id}`, { method: 'DELETE' })).status).toBe(204);
      const gone = await fetch(`${httpBase}/api/v1/recordings/${meta.id}`);
      expect(gone.status).toBe(404);
      expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('RECORDING_NOT_FOUND');
      expect(await storages.a.stat(`recordings/${meta.id}.mp4`)).toBeUndefined();
      expect(await storages.a.stat(meta.thumbnails[0]?.key ?? '')).toBeUndefined();
    });

    it('answers 404 for unknown or malformed ids and thumbnails of streams that are not live', async () => {
      for (const path of ['/api/v1/recordings/nope', '/api/v1/recordings/..%2f..%2fetc', '/api/v1/recordings/nope/download', '/live/cam1/thumbnail.jpg']) {
        expect((await fetch(httpBase + path)).status, path).toBe(404);
      }
      expect((await fetch(`${httpBase}/api/v1/streams/cam1/recording`, { method: 'POST' })).status).toBe(404);
    });
  });
});
