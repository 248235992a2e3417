import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { BitWriter } from '../bits/bit-writer.js';
import { addEmulationPrevention } from '../bits/emulation-prevention.js';
import { parseHevcSps } from './sps.js';

// SPS libx265 3.5 wrote for testsrc2 1280x720 at 30 fps (ffmpeg 5.1, `-c:v libx265 -f mp4`)
const SPS_720P = '42010101600000030090000003000003005da00280802d165959a4932bc05a020000030002000003003c10';

describe('parseHevcSps', () => {
  it('reads size, profile/tier/level and VUI timing of a real x265 SPS', () => {
    const sps = parseHevcSps(Buffer.from(SPS_720P, 'hex'));
    expect(sps).toMatchObject({ width: 1280, height: 720, chromaFormatIdc: 1, bitDepthLuma: 8, fps: 30, sar: [1, 1] });
    expect(sps.ptl).toMatchObject({ profileIdc: 1, levelIdc: 93, tierFlag: false });
  });

  it('refuses a NAL unit that is not an SPS', () => {
    expect(() => parseHevcSps(Buffer.from('4401c172b46240', 'hex'))).toThrow(ParseError);
  });

  it('finds size and frame rate of any SPS we can write (sub-layers, cropping, RPS prediction, scaling lists)', () => {
    fc.assert(fc.property(spsArbitrary(), (p) => {
      const sps = parseHevcSps(writeSps(p));
      const sub = p.chroma === 1 ? [2, 2] : p.chroma === 2 ? [2, 1] : [1, 1];
      expect(sps.width).toBe(p.width - (sub[0] ?? 1) * (p.crop[0] + p.crop[1]));
      expect(sps.height).toBe(p.height - (sub[1] ?? 1) * (p.crop[2] + p.crop[3]));
      expect(sps.ptl.levelIdc).toBe(p.level);
      expect(sps.maxSubLayers).toBe(p.subLayers.length + 1);
      expect(sps.fps).toBe(p.timing ? Math.round((p.timing[1] / p.timing[0]) * 1000) / 1000 : undefined);
    }));
  });

  it('on arbitrary bytes returns or throws ParseError, nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      try {
        const sps = parseHevcSps(Buffer.from([0x42, 0x01, ...bytes]));
        expect(sps.width).toBeGreaterThan(0);
      } catch (err) {
        expect(err).toBeInstanceOf(ParseError);
      }
    }), { numRuns: 3000 });
  });
});

interface Rps {
  /** Explicit set of POC deltas, or a prediction from the previous set. */
  explicit?: { negative: number; positive: number };
  deltaRps?: number;
}

interface HevcSpsParams {
  subLayers: Array<[boolean, boolean]>;
  level: number;
  chroma: number;
  width: number;
  height: number;
  crop: [number, number, number, number];
  scalingList: boolean;
  pcm: boolean;
  rps: Rps[];
  longTerm: number;
  timing: [number, number] | null;
}

function spsArbitrary(): fc.Arbitrary<HevcSpsParams> {
  const rps: fc.Arbitrary<Rps> = fc.oneof(
    fc.record({ negative: fc.nat(4), positive: fc.nat(4) }).map((explicit) => ({ explicit })),
    fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0).map((deltaRps) => ({ deltaRps })),
  );
  return fc.record({
    subLayers: fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 6 }),
    level: fc.integer({ min: 30, max: 186 }),
    chroma: fc.integer({ min: 0, max: 3 }),
    width: fc.integer({ min: 2, max: 1024 }).map((n) => n * 8),
    height: fc.integer({ min: 2, max: 1024 }).map((n) => n * 8),
    crop: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    scalingList: fc.boolean(),
    pcm: fc.boolean(),
    rps: fc.array(rps, { maxLength: 8 }),
    longTerm: fc.nat(4),
    timing: fc.option(fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }))),
  });
}

/** Writes an SPS per H.265 §7.3.2.2.1 (the parser's inverse, written from the syntax tables). */
function writeSps(p: HevcSpsParams): Buffer {
  const w = new BitWriter().u(16, 0x4201).u(4, 0).u(3, p.subLayers.length).u(1, 1);
  // profile_tier_level: Main, compatibility flags 1 and 2, progressive + frame-only
  w.u(2, 0).u(1, 0).u(5, 1).u(32, 0x60000000).u(8, 0x90).u(32, 0).u(8, 0).u(8, p.level);
  for (const [profile, level] of p.subLayers) w.flag(profile).flag(level);
  if (p.subLayers.length > 0) for (let i = p.subLayers.length; i < 8; i++) w.u(2, 0);
  for (const [profile, level] of p.subLayers) {
    if (profile) w.u(32, 0x01600000).u(32, 0x12345678).u(24, 0xabcdef);
    if (level) w.u(8, 90);
  }
  w.ue(0).ue(p.chroma);
  if (p.chroma === 3) w.flag(false);
  w.ue(p.width).ue(p.height);
  const cropped = p.crop.some((c) => c > 0);
  w.flag(cropped);
  if (cropped) for (const c of p.crop) w.ue(c);
  w.ue(0).ue(0).ue(4).flag(true);
  for (let i = 0; i <= p.subLayers.length; i++) w.ue(4).ue(2).ue(0);
  w.ue(0).ue(3).ue(0).ue(3).ue(1).ue(1);
  w.flag(p.scalingList);
  if (p.scalingList) {
    w.flag(true);
    for (let sizeId = 0; sizeId < 4; sizeId++) {
      for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
        const explicit = (sizeId + matrixId) % 2 === 0;
        w.flag(explicit);
        if (!explicit) w.ue(0);
        else {
          if (sizeId > 1) w.se(-3);
          for (let i = 0; i < Math.min(64, 1 << (4 + (sizeId << 1))); i++) w.se(i % 3 - 1);
        }
      }
    }
  }
  w.flag(false).flag(true).flag(p.pcm);
  if (p.pcm) w.u(4, 7).u(4, 7).ue(0).ue(1).flag(true);
  writeRpsList(w, p.rps);
  w.flag(p.longTerm > 0);
  if (p.longTerm > 0) {
    w.ue(p.longTerm);
    for (let i = 0; i < p.longTerm; i++) w.u(8, i).flag(true);
  }
  w.flag(true).flag(true).flag(true);
  // VUI: SAR 1:1, video signal with colour description, a default display window, timing
  w.flag(true).u(8, 1).flag(false).flag(true).u(3, 5).flag(false).flag(true).u(24, 0x010101);
  w.flag(false).u(3, 0).flag(true).ue(0).ue(2).ue(0).ue(2);
  w.flag(p.timing !== null);
  if (p.timing) w.u(32, p.timing[0]).u(32, p.timing[1]).flag(false).flag(false);
  w.flag(false).flag(false);
  return addEmulationPrevention(w.trailingBits().toBuffer());
}

/** st_ref_pic_set() per §7.3.7; predicted sets mark every entry used, so all deltas carry over. */
function writeRpsList(w: BitWriter, list: Rps[]): void {
  w.ue(list.length);
  let previous: Set<number> = new Set();
  list.forEach((rps, idx) => {
    if (idx > 0) w.flag(rps.deltaRps !== undefined);
    if (idx > 0 && rps.deltaRps !== undefined) {
      const d = rps.deltaRps;
      w.u(1, d < 0 ? 1 : 0).ue(Math.abs(d) - 1);
      for (let j = 0; j <= previous.size; j++) w.flag(true);
      const next = new Set([...previous].map((x) => x + d).concat(d).filter((x) => x !== 0));
      if (next.size > 16) throw new Error('test generator made an oversized RPS');
      previous = next;
      return;
    }
    const { negative, positive } = rps.explicit ?? { negative: 1, positive: 0 };
    w.ue(negative).ue(positive);
    for (let i = 0; i < negative + positive; i++) w.ue(0).flag(true);
    previous = new Set([...Array(negative).keys()].map((i) => -(i + 1)).concat([...Array(positive).keys()].map((i) => i + 1)));
  });
}
