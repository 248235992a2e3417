import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MediaFrame } from '../frame.js';
import { findBox, readBoxes, type Mp4Box } from './box-reader.js';
import { Mp4MuxError } from './errors.js';
import { buildFragment, isIndependentFragment } from './fragment.js';
import { msToTicks, opusPacketTicks } from './sample-timing.js';
import type { Mp4AudioTrack, Mp4VideoTrack } from './tracks.js';

const video: Mp4VideoTrack = { kind: 'video', codec: 'h264', id: 1, timescale: 90000, config: Buffer.alloc(0), frameDuration: 3000, width: 64, height: 64 };
const aac: Mp4AudioTrack = { kind: 'audio', codec: 'aac', id: 2, timescale: 44100, config: Buffer.alloc(0), frameDuration: 1024, sampleRate: 44100, channels: 2 };

function frame(kind: 'video' | 'audio', dts: number, size: number, extra: Partial<MediaFrame> = {}): MediaFrame {
  const data = Buffer.alloc(size, (dts + size) & 0xff);
  return { kind, codec: kind === 'video' ? 'h264' : 'aac', dts, pts: dts, keyframe: false, config: false, data, ...extra };
}

/** trun fields as written, read back per §8.8.8.2. */
interface Trun {
  version: number;
  dataOffset: number;
  samples: { duration: number; size: number; flags?: number; cto?: number }[];
}

function readTrun(box: Mp4Box): Trun {
  const b = box.body;
  const flags = b.readUIntBE(1, 3);
  const count = b.readUInt32BE(4);
  const dataOffset = b.readInt32BE(8);
  let pos = 12;
  const samples: Trun['samples'] = [];
  for (let i = 0; i < count; i++) {
    const s: Trun['samples'][number] = { duration: b.readUInt32BE(pos), size: b.readUInt32BE(pos + 4) };
    pos += 8;
    if (flags & 0x400) {
      s.flags = b.readUInt32BE(pos);
      pos += 4;
    }
    if (flags & 0x800) {
      s.cto = b.readInt32BE(pos);
      pos += 4;
    }
    samples.push(s);
  }
  return { version: b.readUInt8(0), dataOffset, samples };
}

function trafs(fragment: Buffer): { trackId: number; tfhdFlags: number; tfdt: bigint; trun: Trun }[] {
  const moof = findBox(fragment, 'moof');
  return readBoxes(moof.body, 0, moof.offset + 8)
    .filter((b) => b.type === 'traf')
    .map((traf) => {
      const kids = readBoxes(traf.body);
      const get = (t: string): Mp4Box => kids.find((k) => k.type === t) as Mp4Box;
      const tfdt = get('tfdt').body;
      expect(tfdt.readUInt8(0)).toBe(1);
      return { trackId: get('tfhd').body.readUInt32BE(4), tfhdFlags: get('tfhd').body.readUIntBE(1, 3), tfdt: tfdt.readBigUInt64BE(4), trun: readTrun(get('trun')) };
    });
}

describe('buildFragment', () => {
  it('writes moof (mfhd, one traf per track) then mdat, each data_offset on its first sample byte', () => {
    const v = [frame('video', 0, 500, { keyframe: true, pts: 66 }), frame('video', 33, 120, { pts: 33 }), frame('video', 66, 80, { pts: 100 })];
    const a = [frame('audio', 0, 7), frame('audio', 23, 9)];
    const out = buildFragment(7, [{ track: video, frames: v, nextDts: 100 }, { track: aac, frames: a }]);
    expect(readBoxes(out).map((b) => b.type)).toEqual(['moof', 'mdat']);
    expect(findBox(out, 'moof/mfhd').body.readUInt32BE(4)).toBe(7);
    const [tv, ta] = trafs(out);
    expect(tv?.tfhdFlags).toBe(0x020000); // default-base-is-moof
    expect(tv?.trun.version).toBe(1);
    expect(tv?.trun.samples).toEqual([
      { duration: 2970, size: 500, flags: 0x02000000, cto: 5940 },
      { duration: 2970, size: 120, flags: 0x01010000, cto: 0 },
      { duration: 3060, size: 80, flags: 0x01010000, cto: 3060 },
    ]);
    expect(out.subarray(tv?.trun.dataOffset, (tv?.trun.dataOffset ?? 0) + 500)).toEqual(v[0]?.data);
    expect(ta?.tfhdFlags).toBe(0x020020); // audio: one default sync flag instead of per-sample flags
    expect(ta?.trun.samples).toEqual([
      { duration: 1024, size: 7 },
      { duration: 1024, size: 9 },
    ]);
    expect(out.subarray(ta?.trun.dataOffset, (ta?.trun.dataOffset ?? 0) + 7)).toEqual(a[0]?.data);
    expect(findBox(out, 'mdat').body.length).toBe(500 + 120 + 80 + 7 + 9);
  });

  it('keeps tfdt exact for decode times beyond 2^32 ms (64-bit, version 1)', () => {
    for (const dts of [2 ** 32 + 12_345, 2 ** 40 + 7, 1e12 + 1]) {
      const out = buildFragment(1, [{ track: video, frames: [frame('video', dts, 10, { keyframe: true })] }, { track: aac, frames: [frame('audio', dts, 5)] }]);
      const [tv, ta] = trafs(out);
      expect(tv?.tfdt).toBe(BigInt(dts) * 90n);
      expect(ta?.tfdt).toBe((BigInt(dts) * 44100n + 500n) / 1000n);
      expect(tv?.trun.samples[0]?.duration).toBe(3000); // no next frame: the nominal duration
    }
  });

  it('uses trun version 0 without composition offsets when pts equals dts', () => {
    const out = buildFragment(1, [{ track: video, frames: [frame('video', 0, 10, { keyframe: true }), frame('video', 40, 10)] }]);
    const [tv] = trafs(out);
    expect(tv?.trun.version).toBe(0);
    expect(tv?.trun.samples.map((s) => s.duration)).toEqual([3600, 3600]); // last repeats the previous
    expect(tv?.trun.samples[0]?.cto).toBeUndefined();
  });

  it('gives AAC exact 1024-sample durations through ±1 ms jitter, and measured ones across real gaps', () => {
    // 23.22 ms frames rounded to ms with jitter, then a 3-frame hole after the fifth frame
    const times = [1000, 1024, 1046, 1070, 1093, 1186, 1209];
    const out = buildFragment(1, [{ track: aac, frames: times.map((t) => frame('audio', t, 4)), nextDts: 1232 }]);
    const [ta] = trafs(out);
    expect(ta?.tfdt).toBe(44100n); // anchored on the first frame's own timestamp
    const durations = ta?.trun.samples.map((s) => s.duration) ?? [];
    expect(durations).toEqual([1024, 1024, 1024, 1024, msToTicks(1186, 44100) - (44100 + 4 * 1024), 1024, 1024]);
  });

  it('marks a part that starts on a non-keyframe as non-sync, and says whether a fragment is independent', () => {
    const parts = [{ track: video, frames: [frame('video', 0, 10), frame('video', 33, 10, { keyframe: true })] }];
    const [tv] = trafs(buildFragment(3, parts));
    expect(tv?.trun.samples.map((s) => s.flags)).toEqual([0x01010000, 0x02000000]);
    expect(isIndependentFragment(parts)).toBe(false);
    expect(isIndependentFragment([{ track: video, frames: [frame('video', 0, 1, { keyframe: true })] }, { track: aac, frames: [frame('audio', 0, 1)] }])).toBe(true);
    expect(isIndependentFragment([{ track: aac, frames: [frame('audio', 0, 1)] }])).toBe(true);
  });

  it('skips configuration frames and empty runs, writes an optional styp, and refuses an empty fragment', () => {
    const cfg = frame('video', 0, 30, { config: true });
    const out = buildFragment(1, [{ track: video, frames: [cfg, frame('video', 0, 10, { keyframe: true })] }, { track: aac, frames: [] }], { styp: ['msdh', 'msix'] });
    expect(readBoxes(out).map((b) => b.type)).toEqual(['styp', 'moof', 'mdat']);
    const [tv, ...rest] = trafs(out);
    expect(rest).toHaveLength(0);
    expect(tv?.trun.samples).toHaveLength(1);
    // data_offset counts from the moof, not from the styp before it
    const moof = findBox(out, 'moof');
    expect(out.subarray(moof.offset + (tv?.trun.dataOffset ?? 0)).subarray(0, 10)).toEqual(Buffer.alloc(10, 10));
    expect(() => buildFragment(1, [{ track: video, frames: [cfg] }])).toThrow(Mp4MuxError);
    expect(() => buildFragment(-1, [{ track: video, frames: [frame('video', 0, 1)] }])).toThrow(Mp4MuxError);
  });

  it('property: trun sizes add up to the mdat payload and every data_offset lands on its samples', () => {
    const run = fc.record({
      sizes: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 40 }),
      steps: fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 40, maxLength: 40 }),
      start: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.bigInt({ min: 2n ** 32n, max: 2n ** 42n }).map(Number)),
      cts: fc.array(fc.integer({ min: -50, max: 300 }), { minLength: 40, maxLength: 40 }),
    });
    fc.assert(
      fc.property(run, run, fc.integer({ min: 1, max: 0xffffffff }), (rv, ra, seq) => {
        const build = (r: typeof rv, kind: 'video' | 'audio'): MediaFrame[] => {
          let dts = r.start;
          return r.sizes.map((size, i) => {
            const f = frame(kind, dts, size, { keyframe: kind === 'video' && i === 0, pts: kind === 'video' ? dts + (r.cts[i] ?? 0) : dts });
            dts += r.steps[i] ?? 0;
            return f;
          });
        };
        const v = build(rv, 'video');
        const a = build(ra, 'audio');
        const out = buildFragment(seq, [{ track: video, frames: v }, { track: aac, frames: a }]);
        const [tv, ta] = trafs(out);
        const mdat = findBox(out, 'mdat');
        const sizes = [...(tv?.trun.samples ?? []), ...(ta?.trun.samples ?? [])].map((s) => s.size);
        expect(sizes.reduce((x, y) => x + y, 0)).toBe(mdat.body.length);
        expect(tv?.trun.dataOffset).toBe(mdat.offset + 8);
        expect(ta?.trun.dataOffset).toBe(mdat.offset + 8 + rv.sizes.reduce((x, y) => x + y, 0));
        // Buffer#equals: a deep toEqual over ~100 kB per run would dominate the test's time
        expect(out.subarray(tv?.trun.dataOffset).equals(Buffer.concat([...v, ...a].map((f) => f.data)))).toBe(true);
        expect(tv?.tfdt).toBe(BigInt(msToTicks(rv.start, 90000)));
        tv?.trun.samples.forEach((s, i) => {
          const f = v[i] as MediaFrame;
          expect(s.cto ?? 0).toBe(msToTicks(f.pts, 90000) - msToTicks(f.dts, 90000));
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('opusPacketTicks', () => {
  it('reads the duration from the TOC byte (RFC 6716 §3.1)', () => {
    expect(opusPacketTicks(Buffer.from([0xfc]), 48000)).toBe(960); // CELT FB 20 ms, one frame
    expect(opusPacketTicks(Buffer.from([0x79]), 48000)).toBe(1920); // Hybrid FB 20 ms, two frames
    expect(opusPacketTicks(Buffer.from([0x0b, 0x03]), 48000)).toBe(2880); // SILK 20 ms × 3
    expect(opusPacketTicks(Buffer.from([0x1b, 0x03]), 48000)).toBeUndefined(); // SILK 60 ms × 3 exceeds 120 ms
    expect(opusPacketTicks(Buffer.from([0x83, 0x04]), 48000)).toBe(480); // CELT 2.5 ms × 4
    expect(opusPacketTicks(Buffer.alloc(0), 48000)).toBeUndefined();
  });
});
