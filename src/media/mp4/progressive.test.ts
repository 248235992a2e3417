import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MediaFrame } from '../frame.js';
import { findBox, readBoxes } from './box-reader.js';
import { planDefragment, type PayloadRange } from './defragment-plan.js';
import { buildFragment } from './fragment.js';
import { isSyncSample, readInitTracks, readMoofRuns, type TrackRun } from './fragment-index.js';
import { buildInitSegment } from './init-segment.js';
import { buildProgressiveHeader } from './progressive-header.js';
import type { Mp4AudioTrack, Mp4VideoTrack } from './tracks.js';

const avcC = Buffer.from([1, 0x64, 0, 0x1f, 0xff, 0xe0, 0]);
const asc = Buffer.from([0x12, 0x10]); // AAC LC, 44.1 kHz, stereo
const video: Mp4VideoTrack = { kind: 'video', codec: 'h264', id: 1, timescale: 90000, config: avcC, frameDuration: 3000, width: 1280, height: 720 };
const audio: Mp4AudioTrack = { kind: 'audio', codec: 'aac', id: 2, timescale: 44100, config: asc, frameDuration: 1024, sampleRate: 44100, channels: 2 };

function frame(kind: 'video' | 'audio', dts: number, size: number, keyframe = false, cto = 0): MediaFrame {
  return { kind, codec: kind === 'video' ? 'h264' : 'aac', dts, pts: dts + cto, keyframe, config: false, data: Buffer.alloc(size, size & 0xff) };
}

/** A fragmented file in memory and what a scanner of it finds: the init tracks, runs and mdat payloads. */
function fragmentedFile(fragments: { video: MediaFrame[]; audio: MediaFrame[]; nextDts?: number }[]): { file: Buffer; runs: TrackRun[]; payloads: PayloadRange[] } {
  const parts: Buffer[] = [buildInitSegment([video, audio])];
  fragments.forEach((f, i) => {
    const runs = [];
    if (f.video.length > 0) runs.push({ track: video, frames: f.video, ...(f.nextDts !== undefined ? { nextDts: f.nextDts } : {}) });
    if (f.audio.length > 0) runs.push({ track: audio, frames: f.audio });
    parts.push(buildFragment(i + 1, runs));
  });
  const file = Buffer.concat(parts);
  const runs: TrackRun[] = [];
  const payloads: PayloadRange[] = [];
  for (const box of readBoxes(file)) {
    if (box.type === 'moof') runs.push(...readMoofRuns(file.subarray(box.offset, box.offset + box.size), box.offset));
    if (box.type === 'mdat') payloads.push({ start: box.offset + 8, end: box.offset + box.size });
  }
  return { file, runs, payloads };
}

function u32s(body: Buffer, from: number): number[] {
  const out: number[] = [];
  for (let p = from; p + 4 <= body.length; p += 4) out.push(body.readUInt32BE(p));
  return out;
}

describe('fragment index', () => {
  it('reads back the tracks of an init segment: ids, handlers, timescales, size and the stsd bytes', () => {
    const init = buildInitSegment([video, audio]);
    const moov = findBox(init, 'moov');
    const tracks = readInitTracks(init.subarray(moov.offset, moov.offset + moov.size));
    expect(tracks.map((t) => [t.id, t.handler, t.timescale, t.width, t.height])).toEqual([
      [1, 'vide', 90000, 1280, 720],
      [2, 'soun', 44100, 0, 0],
    ]);
    expect(tracks[0]?.stsd.toString('latin1', 4, 8)).toBe('stsd');
    expect(tracks[0]?.stsd.includes('avcC', 0, 'latin1')).toBe(true);
  });

  it('reads back every run buildFragment writes: sizes, durations, sync flags, offsets and data positions (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 300 }), gap: fc.integer({ min: 1, max: 100 }), cto: fc.integer({ min: -50, max: 200 }) }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (vs, as, start) => {
          let t = start;
          const vf = vs.map((v, i) => {
            const f = frame('video', t, v.size, i === 0, v.cto);
            t += v.gap;
            return f;
          });
          const af = as.map((size, i) => frame('audio', start + i * 23, size));
          const { file, runs } = fragmentedFile([{ video: vf, audio: af, nextDts: t }]);
          const v = runs.find((r) => r.trackId === 1);
          expect(v?.samples.map((s) => s.size)).toEqual(vs.map((x) => x.size));
          expect(v?.samples.map((s) => isSyncSample(s.flags))).toEqual(vs.map((_, i) => i === 0));
          expect(v?.samples.reduce((sum, s) => sum + s.duration, 0)).toBe(Math.round(((t - start) * 90000) / 1000));
          expect(v?.baseDecodeTime).toBe(Math.round((start * 90000) / 1000));
          // the bytes at the run's offset are the samples, in order
          for (const run of runs) {
            const frames = run.trackId === 1 ? vf : af;
            let at = run.dataOffset;
            run.samples.forEach((s, i) => {
              expect(file.subarray(at, at + s.size).equals(frames[i]?.data ?? Buffer.alloc(0))).toBe(true);
              at += s.size;
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any bytes given as a moof either parse or throw ParseError (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
        const buf = Buffer.from(bytes);
        try {
          readMoofRuns(buf, 0);
        } catch (err) {
          expect((err as Error).name).toBe('ParseError');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('progressive MP4 header', () => {
  const fragments = [
    { video: [frame('video', 0, 100, true, 66), frame('video', 33, 50, false, 33), frame('video', 67, 60)], audio: [frame('audio', 10, 20), frame('audio', 33, 21)], nextDts: 100 },
    { video: [frame('video', 100, 90, true), frame('video', 133, 40)], audio: [frame('audio', 56, 22), frame('audio', 80, 23)] },
  ];

  it('puts the moov first and points every chunk at its samples in the copied payloads', () => {
    const { file, runs, payloads } = fragmentedFile(fragments);
    const moovBox = findBox(file, 'moov');
    const init = readInitTracks(file.subarray(moovBox.offset, moovBox.offset + moovBox.size));
    const plan = planDefragment(init, runs, payloads);
    const header = buildProgressiveHeader(plan.tracks, plan.payloadBytes);
    const out = Buffer.concat([header, ...plan.copies.map((c) => file.subarray(c.start, c.end))]);
    expect(readBoxes(out).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
    const trak = readBoxes(findBox(out, 'moov').body).filter((b) => b.type === 'trak');
    const stbl = (i: number): ReturnType<typeof readBoxes> => {
      const t = trak[i];
      if (t === undefined) throw new Error('no trak');
      const mdia = readBoxes(t.body).find((b) => b.type === 'mdia');
      const minf = readBoxes(mdia?.body ?? Buffer.alloc(0)).find((b) => b.type === 'minf');
      return readBoxes(readBoxes(minf?.body ?? Buffer.alloc(0)).find((b) => b.type === 'stbl')?.body ?? Buffer.alloc(0));
    };
    const videoStbl = stbl(0);
    const get = (boxes: ReturnType<typeof readBoxes>, type: string): Buffer => boxes.find((b) => b.type === type)?.body ?? Buffer.alloc(0);
    // two chunks of 3 and 2 video samples; sync samples 1 and 4; composition offsets present
    expect(u32s(get(videoStbl, 'stsc'), 4)).toEqual([2, 1, 3, 1, 2, 2, 1]);
    expect(u32s(get(videoStbl, 'stss'), 4)).toEqual([2, 1, 4]);
    expect(videoStbl.some((b) => b.type === 'ctts')).toBe(true);
    const offsets = u32s(get(videoStbl, 'stco'), 4).slice(1);
    const sizes = u32s(get(videoStbl, 'stsz'), 4).slice(2);
    const frames = fragments.flatMap((f) => f.video);
    let sample = 0;
    [3, 2].forEach((count, chunk) => {
      let at = offsets[chunk] ?? 0;
      for (let i = 0; i < count; i++, sample++) {
        expect(out.subarray(at, at + (sizes[sample] ?? 0)).equals(frames[sample]?.data ?? Buffer.alloc(0))).toBe(true);
        at += sizes[sample] ?? 0;
      }
    });
    // audio starts 10 ms after the video: an empty edit keeps it in sync
    expect(readBoxes(trak[1]?.body ?? Buffer.alloc(0)).some((b) => b.type === 'edts')).toBe(true);
    // the last audio sample of the first fragment is stretched to meet the second fragment's start
    const stts = u32s(get(stbl(1), 'stts'), 4);
    const durations = [];
    for (let i = 1; i < stts.length; i += 2) for (let n = 0; n < (stts[i] ?? 0); n++) durations.push(stts[i + 1]);
    expect(Math.round(((durations[0] ?? 0) + (durations[1] ?? 0)) / 44.1)).toBe(56 - 10);
  });

  it('leaves out a run whose bytes are not all inside a complete mdat (a file cut by a crash)', () => {
    const { runs, payloads } = fragmentedFile(fragments);
    const init = readInitTracks(findBoxRaw(buildInitSegment([video, audio]), 'moov'));
    const last = payloads[payloads.length - 1] as PayloadRange;
    const cut = [...payloads.slice(0, -1), { start: last.start, end: last.start + 10 }];
    const plan = planDefragment(init, runs, cut);
    expect(plan.tracks.map((t) => t.samples.length)).toEqual([3, 2]);
  });

  it('refuses chunks that do not add up to the samples', () => {
    const init = readInitTracks(findBoxRaw(buildInitSegment([video]), 'moov'));
    const info = init[0];
    if (info === undefined) throw new Error('no track');
    expect(() => buildProgressiveHeader([{ info, samples: [{ duration: 1, size: 1, flags: 0, compositionOffset: 0 }], chunks: [{ offset: 0, count: 2 }], startTicks: 0 }], 1)).toThrow(/chunks hold 2 samples/);
  });
});

function findBoxRaw(buf: Buffer, type: string): Buffer {
  const box = findBox(buf, type);
  return buf.subarray(box.offset, box.offset + box.size);
}
