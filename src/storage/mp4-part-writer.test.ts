import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../../test/helpers/clip.js';
import { requireBinary } from '../../test/helpers/peers.js';
import { describeConfigFrame, FlvDemuxer, parseFlvAudioBody, parseFlvVideoBody, readBoxes, readMoofRuns, isSyncSample, type AudioTrackInfo, type MediaFrame, type VideoTrackInfo } from '../media/index.js';
import { finaliseMp4 } from './mp4-finalizer.js';
import { Mp4PartWriter } from './mp4-part-writer.js';
import type { PartTracks } from './part-writer.js';

const run = promisify(execFile);
let dir = '';
let media: MediaFrame[] = [];
let tracks: PartTracks = {};

beforeAll(async () => {
  requireBinary('ffprobe');
  const tags = new FlvDemuxer().push(await readFile(await makeClip({ seconds: 6, bframes: false })));
  const frames = tags.flatMap((t) => {
    const f = t.type === 9 ? parseFlvVideoBody(t.body, t.timestamp) : t.type === 8 ? parseFlvAudioBody(t.body, t.timestamp) : null;
    return f ? [f] : [];
  });
  const v = frames.find((f) => f.kind === 'video' && f.config) as MediaFrame;
  const a = frames.find((f) => f.kind === 'audio' && f.config) as MediaFrame;
  tracks = { video: { config: v, info: describeConfigFrame(v) as VideoTrackInfo }, audio: { config: a, info: describeConfigFrame(a) as AudioTrackInfo } };
  media = frames.filter((f) => !f.config);
  dir = await mkdtemp(join(tmpdir(), 'zenlive-mp4part-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function writePart(name: string, frames: readonly MediaFrame[]): Promise<Buffer> {
  const path = join(dir, name);
  const w = new Mp4PartWriter({ path, tracks, maxQueuedBytes: 64 << 20 });
  for (const f of frames) w.push(f);
  await w.finish();
  return readFile(path);
}

/** Per fragment: the video run's duration in ms and whether it starts on a sync sample. */
function fragments(file: Buffer): { ms: number; sync: boolean }[] {
  return readBoxes(file)
    .filter((b) => b.type === 'moof')
    .map((b) => readMoofRuns(file.subarray(b.offset, b.offset + b.size), b.offset).find((r) => r.trackId === 1))
    .flatMap((r) => (r ? [{ ms: r.samples.reduce((t, s) => t + s.duration, 0) / 90, sync: isSyncSample(r.samples[0]?.flags ?? 0x10000) }] : []));
}

describe('fragmented MP4 while recording', () => {
  it('cuts a fragment at each 2 s keyframe: every fragment starts on a keyframe', async () => {
    const file = await writePart('gop2.mp4', media);
    const frags = fragments(file);
    expect(frags.length).toBe(3);
    for (const f of frags) expect(f.sync).toBe(true);
    // millisecond timestamps of 30 fps frames: the last fragment's last frame repeats a 34 ms duration
    for (const f of frags) expect(Math.abs(f.ms - 2000)).toBeLessThanOrEqual(2);
  });

  it('with keyframes 6 s apart, still cuts every 2 s so a crash never loses more', async () => {
    let seen = 0;
    const sparse = media.map((f) => (f.kind === 'video' && f.keyframe && seen++ > 0 ? { ...f, keyframe: false } : f));
    const frags = fragments(await writePart('gop6.mp4', sparse));
    expect(frags.length).toBe(3);
    expect(frags.map((f) => f.sync)).toEqual([true, false, false]);
    // cut at the first frame 2 s in: at most 2 s plus one frame
    for (const f of frags) expect(f.ms).toBeLessThanOrEqual(2034);
  });

  it('a file cut anywhere finalises to every complete fragment, or refuses when none is complete (property)', async () => {
    const file = await writePart('whole.mp4', media);
    const ends = readBoxes(file).filter((b) => b.type === 'mdat').map((b) => b.offset + b.size);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: file.length }), async (cut) => {
        const input = join(dir, `cut-${n}.mp4`);
        const output = join(dir, `cut-${n++}-final.mp4`);
        await writeFile(input, file.subarray(0, cut));
        const complete = ends.filter((e) => e <= cut).length;
        if (complete === 0) {
          await expect(finaliseMp4(input, output)).rejects.toThrow();
          return;
        }
        const done = await finaliseMp4(input, output);
        expect(done.durationMs).toBeGreaterThanOrEqual(complete * 2000 - 50);
        expect(done.durationMs).toBeLessThanOrEqual(complete * 2000 + 50);
        expect(done.samples['vide']).toBe(complete * 60);
        expect(readBoxes(await readFile(output)).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
      }),
      { numRuns: 25 },
    );
  });

  it('finalises into an MP4 that ffmpeg decodes without a single error', async () => {
    const input = join(dir, 'play.mp4.part');
    await writeFile(input, await writePart('play-src.mp4', media));
    const out = join(dir, 'play.mp4');
    await finaliseMp4(input, out);
    const { stdout, stderr } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', out, '-f', 'null', '-']);
    expect(stdout + stderr).toBe('');
  });
});
