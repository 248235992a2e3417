import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../../test/helpers/clip.js';
import { requireBinary } from '../../test/helpers/peers.js';
import { silentLogger } from '../base/index.js';
import { StreamRegistry, type Stream } from '../hub/index.js';
import { FlvDemuxer, parseFlvAudioBody, parseFlvVideoBody, type MediaFrame } from '../media/index.js';
import { LocalStorage } from './local-storage.js';
import { Recorder, type RecordingEvent } from './recorder.js';
import { RecordingCatalog } from './recording-catalog.js';
import type { RecordingMetadata } from './recording-metadata.js';
import { RetentionSweeper } from './retention.js';

const run = promisify(execFile);
let frames: MediaFrame[] = [];
let dir = '';

beforeAll(async () => {
  requireBinary('ffprobe');
  // a 6 s clip (GOP 2 s, B-frames) read back into the frames an RTMP publisher would push
  const demuxer = new FlvDemuxer();
  const tags = demuxer.push(await readFile(await makeClip({ seconds: 6 })));
  frames = tags.flatMap((t) => {
    const f = t.type === 9 ? parseFlvVideoBody(t.body, t.timestamp) : t.type === 8 ? parseFlvAudioBody(t.body, t.timestamp) : null;
    return f ? [f] : [];
  });
  dir = await mkdtemp(join(tmpdir(), 'zenlive-recorder-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function registry(): StreamRegistry {
  return new StreamRegistry({ gopCache: { maxFrames: 1800, maxBytes: 32 << 20 }, backpressure: { softLimitBytes: 2 << 20, hardLimitBytes: 16 << 20, maxSkipMs: 10_000 } });
}

/** Pushes frames the way a publisher's session does, `perTurn` frames per event-loop turn. */
async function publish(stream: Stream, list: readonly MediaFrame[], perTurn = 50): Promise<void> {
  for (let i = 0; i < list.length; i += perTurn) {
    for (const f of list.slice(i, i + perTurn)) stream.push({ ...f });
    await new Promise((r) => setImmediate(r));
  }
}

async function durationOf(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

describe('Recorder', () => {
  it('records only the streams asked for when not recording all, from the API call on', async () => {
    const reg = registry();
    const storage = new LocalStorage({ root: join(dir, 'api-store') });
    const events: RecordingEvent[] = [];
    const recorder = new Recorder({ registry: reg, storage, tempDir: join(dir, 'api-tmp'), formats: ['mp4'], recordAll: false, splitMinutes: 0, logger: silentLogger(), onEvent: (e) => events.push(e) });
    await recorder.start();
    const other = reg.claim('other', { protocol: 'rtmp' });
    const stream = reg.claim('picked', { protocol: 'rtmp' });
    await publish(other, frames.slice(0, 10));
    await publish(stream, frames.slice(0, 10));
    expect(recorder.isRecording('picked')).toBe(false);
    expect(() => recorder.startRecording('not-live')).toThrow(expect.objectContaining({ code: 'STREAM_NOT_FOUND' }));
    recorder.startRecording('picked');
    expect(recorder.isRecording('picked')).toBe(true);
    await publish(stream, frames.slice(10));
    expect(recorder.stopRecording('picked')).toBe(true);
    await recorder.idle();
    const finished = events.flatMap((e) => (e.type === 'recordingFinished' ? [e.recording] : []));
    expect(finished.map((m) => m.streamId)).toEqual(['picked']);
    // started from the GOP cache: the whole clip but the frames before the last keyframe it held
    expect((finished[0] as RecordingMetadata).durationMs).toBeGreaterThan(3500);
    other.end();
    stream.end();
    await recorder.close();
  });

  it('fails the recording instead of buffering when the disk cannot keep up, and the stream goes on', async () => {
    const reg = registry();
    const storage = new LocalStorage({ root: join(dir, 'slow-store') });
    const events: RecordingEvent[] = [];
    const recorder = new Recorder({
      registry: reg, storage, tempDir: join(dir, 'slow-tmp'), formats: ['flv'], recordAll: true, splitMinutes: 0, logger: silentLogger(),
      maxQueuedBytes: 64 * 1024, onEvent: (e) => events.push(e),
    });
    await recorder.start();
    const stream = reg.claim('burst', { protocol: 'rtmp' });
    // every frame of 6 s in one turn: megabytes at once, far past the 64 KiB the writer may hold
    await publish(stream, frames, frames.length);
    const failed = events.find((e) => e.type === 'recordingFailed');
    expect(failed?.type === 'recordingFailed' && (failed.error.cause as { code?: string }).code).toBe('RECORDING_DISK_TOO_SLOW');
    expect(recorder.isRecording('burst')).toBe(false);
    expect(stream.state).toBe('LIVE');
    stream.end();
    await recorder.close();
  });

  it('starts a new part when the video sequence header changes, each part playable', async () => {
    const reg = registry();
    const storage = new LocalStorage({ root: join(dir, 'cfg-store') });
    const events: RecordingEvent[] = [];
    const recorder = new Recorder({ registry: reg, storage, tempDir: join(dir, 'cfg-tmp'), formats: ['mp4'], recordAll: true, splitMinutes: 0, logger: silentLogger(), onEvent: (e) => events.push(e) });
    await recorder.start();
    const stream = reg.claim('reconf', { protocol: 'rtmp' });
    await publish(stream, frames);
    // the encoder restarts with another configuration: the same pictures after a changed avcC
    const offset = (frames[frames.length - 1]?.dts ?? 0) + 40;
    const again = frames.map((f) => {
      const shifted = { ...f, dts: f.dts + offset, pts: f.pts + offset };
      return f.kind === 'video' && f.config ? { ...shifted, data: Buffer.concat([f.data, Buffer.from([0])]) } : shifted;
    });
    await publish(stream, again);
    stream.end();
    await recorder.close();
    const parts = events.flatMap((e) => (e.type === 'recordingFinished' ? [e.recording] : [])).sort((a, b) => a.part - b.part);
    expect(parts.map((p) => p.part)).toEqual([1, 2]);
    for (const p of parts) {
      const file = join(dir, `${p.id}.mp4`);
      await run('cp', [storage.pathOf(`recordings/${p.id}.mp4`), file]);
      expect(Math.abs((await durationOf(file)) - 6)).toBeLessThan(0.5);
    }
  });
});

describe('retention', () => {
  it('deletes recordings that ended more than N days ago, files and thumbnails with them', async () => {
    const storage = new LocalStorage({ root: join(dir, 'retention') });
    const catalog = new RecordingCatalog(storage);
    const day = 24 * 60 * 60 * 1000;
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (const [id, endedDay] of [['old_1', 0], ['old_2', 3], ['new_1', 8]] as const) {
      await storage.put(`recordings/${id}.mp4`, Buffer.from(id));
      await storage.put(`thumbnails/${id}/00000-320x180.jpg`, Buffer.from('jpg'));
      await catalog.save({
        id, streamId: 's', part: 1, status: 'complete', startedAt: new Date(start + endedDay * day - 1000).toISOString(), endedAt: new Date(start + endedDay * day).toISOString(),
        durationMs: 1000, bytes: id.length, video: null, audio: null, files: [{ format: 'mp4', key: `recordings/${id}.mp4`, bytes: id.length, contentType: 'video/mp4' }],
        thumbnails: [{ key: `thumbnails/${id}/00000-320x180.jpg`, format: 'jpg', width: 320, height: 180, atMs: 0 }], watermarked: false,
      });
    }
    let now = start + 9 * day;
    const sweeper = new RetentionSweeper({ catalog, retentionDays: 7, now: () => now, logger: silentLogger() });
    expect((await sweeper.sweep()).sort()).toEqual(['old_1']);
    now = start + 10.5 * day;
    expect(await sweeper.sweep()).toEqual(['old_2']);
    expect((await catalog.all()).map((m) => m.id)).toEqual(['new_1']);
    expect((await readdir(join(dir, 'retention', 'recordings'))).sort()).toEqual(['new_1.json', 'new_1.mp4']);
    expect(await storage.stat('thumbnails/old_2/00000-320x180.jpg')).toBeUndefined();
    expect(await new RetentionSweeper({ catalog, retentionDays: 0, now: () => now + 100 * day, logger: silentLogger() }).sweep()).toEqual([]);
  });
});
