import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/base/index.js';
import { StreamRegistry } from '../src/hub/index.js';
import { LocalStorage, Recorder, type RecordingEvent, type RecordingMetadata } from '../src/storage/index.js';
import { trimFlv } from '../src/storage/flv-finalizer.js';
import { makeClip } from './helpers/clip.js';
import { spawnFfmpeg, type FfmpegProcess } from './helpers/ffmpeg.js';
import { requireBinary } from './helpers/peers.js';
import { waitFor } from './helpers/server.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');

/** The server side of the test, run in a child process so that it can be killed with SIGKILL. */
const CHILD = `
import { silentLogger } from '${root}/src/base/index.js';
import { StreamRegistry } from '${root}/src/hub/index.js';
import { RtmpServer } from '${root}/src/protocols/rtmp/index.js';
import { LocalStorage, Recorder } from '${root}/src/storage/index.js';
const [tempDir, storeDir] = process.argv.slice(2);
const logger = silentLogger();
const registry = new StreamRegistry({ gopCache: { maxFrames: 1800, maxBytes: 32 << 20 }, backpressure: { softLimitBytes: 2 << 20, hardLimitBytes: 16 << 20, maxSkipMs: 10000 } });
const rtmp = new RtmpServer({ host: '127.0.0.1', port: 0, apps: ['live'], chunkSize: 60000, windowAckSize: 5000000, maxMessageSize: 8 << 20, handshakeTimeoutMs: 5000, idleTimeoutMs: 30000, maxConnections: 10, registry, logger });
await rtmp.listen();
const recorder = new Recorder({ registry, storage: new LocalStorage({ root: storeDir }), tempDir, formats: ['mp4', 'flv'], recordAll: true, splitMinutes: 0, logger });
await recorder.start();
console.log(JSON.stringify({ port: rtmp.port }));
`;

describe('a recording interrupted by kill -9', () => {
  let dir: string;
  let tempDir: string;
  let child: ChildProcess | undefined;
  let publisher: FfmpegProcess | undefined;
  let flvLastMs = 0;
  let fragmentedCopy = '';
  const events: RecordingEvent[] = [];
  let recovered: RecordingMetadata[] = [];
  let storage: LocalStorage;

  beforeAll(async () => {
    requireBinary('ffprobe');
    const clip = await makeClip({ seconds: 20 });
    dir = await mkdtemp(join(tmpdir(), 'zenlive-crash-'));
    tempDir = join(dir, 'tmp');
    const script = join(dir, 'server.ts');
    await writeFile(script, CHILD);
    child = spawn(join(root, 'node_modules/.bin/vite-node'), [script, tempDir, join(dir, 'store')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const port = await new Promise<number>((resolvePort, reject) => {
      let out = '';
      let err = '';
      child?.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      child?.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line !== undefined) resolvePort((JSON.parse(line) as { port: number }).port);
      });
      child?.once('exit', (code) => reject(new Error(`server child exited (${code}): ${err}`)));
    });
    // real time, as an encoder sends: the recorder writes fragments as they come
    publisher = spawnFfmpeg(['-v', 'error', '-re', '-i', clip, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${port}/live/crashy`], 60);
    await waitFor(async () => (await readdir(tempDir).catch(() => [])).some((n) => n.endsWith('.recording.json')), 'the recording to start', 15_000);
    await new Promise((r) => setTimeout(r, 7000));
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    await publisher.stop();

    const names = await readdir(tempDir);
    const mp4 = names.find((n) => n.endsWith('.mp4.part'));
    const flv = names.find((n) => n.endsWith('.flv.part'));
    if (mp4 === undefined || flv === undefined) throw new Error(`temp files missing: ${names.join(', ')}`);
    // what a crash leaves, before recovery touches it
    fragmentedCopy = join(dir, 'left-behind.mp4');
    await copyFile(join(tempDir, mp4), fragmentedCopy);
    const flvCopy = join(dir, 'left-behind.flv');
    await copyFile(join(tempDir, flv), flvCopy);
    flvLastMs = (await trimFlv(flvCopy)).lastTimestampMs;

    // the next start-up
    storage = new LocalStorage({ root: join(dir, 'store') });
    const registry = new StreamRegistry({ gopCache: { maxFrames: 10, maxBytes: 1 << 20 }, backpressure: { softLimitBytes: 1 << 20, hardLimitBytes: 2 << 20, maxSkipMs: 1000 } });
    const recorder = new Recorder({ registry, storage, tempDir, formats: ['mp4', 'flv'], recordAll: true, splitMinutes: 0, logger: silentLogger(), onEvent: (e) => events.push(e) });
    await recorder.start();
    recovered = await recorder.recoverInterrupted();
    await recorder.close();
  }, 90_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await publisher?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('left a fragmented MP4 that players read as it is', async () => {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-count_packets', fragmentedCopy]);
    const streams = (JSON.parse(stdout) as { streams: { codec_name: string; width?: number; nb_read_packets?: string }[] }).streams;
    const video = streams.find((s) => s.codec_name === 'h264');
    expect(video?.width).toBe(1280);
    // at 30 fps, several seconds of frames made it to disk
    expect(Number(video?.nb_read_packets)).toBeGreaterThan(90);
  });

  it('recovers it at the next start: a finalised MP4 that plays, losing at most one fragment (2 s)', async () => {
    expect(recovered.length).toBe(1);
    const meta = recovered[0] as RecordingMetadata;
    expect(meta.status).toBe('recovered');
    expect(meta.streamId).toBe('crashy');
    expect(events.map((e) => e.type)).toEqual(['recordingFinished']);
    const file = join(dir, 'recovered.mp4');
    await writeFile(file, await buffer((await storage.get(`recordings/${meta.id}.mp4`)).body));
    const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', file]);
    const duration = Number((JSON.parse(stdout) as { format: { duration: string } }).format.duration);
    expect(flvLastMs).toBeGreaterThan(4000);
    expect(duration).toBeGreaterThan(flvLastMs / 1000 - 2.1);
    expect(duration).toBeLessThanOrEqual(flvLastMs / 1000 + 0.1);
    const decode = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-']);
    expect(decode.stdout + decode.stderr).toBe('');
  });

  it('recovers the FLV too, cut after its last whole tag, and cleans the temp folder', async () => {
    const meta = recovered[0] as RecordingMetadata;
    expect(meta.files.map((f) => f.format)).toEqual(['mp4', 'flv']);
    const file = join(dir, 'recovered.flv');
    await writeFile(file, await buffer((await storage.get(`recordings/${meta.id}.flv`)).body));
    const decode = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-']);
    expect(decode.stdout + decode.stderr).toBe('');
    expect(await readdir(tempDir)).toEqual([]);
  });
});
