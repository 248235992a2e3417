import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { BitWriter } from '../bits/bit-writer.js';
import { addEmulationPrevention } from '../bits/emulation-prevention.js';
import { parseAvcSps } from './sps.js';

// Fixtures: SPS NAL units written by ffmpeg 5.1 / libx264 (`ffmpeg -f lavfi -i testsrc2=size=WxH:rate=R
// -c:v libx264 [-profile:v baseline] -f flv`), copied from the FLV AVC sequence header.
const SPS_640x360_BASELINE_25 = '6742c01ed900a02ff97011000003000100000300320f162e48';
const SPS_1920x1080_HIGH_30 = '67640028acd940780227e5c044000003000400000300f03c60c658';
const SPS_1280x720_HIGH_30 = '6764001facd9405005bb0110000003001000000303c0f1831960';

describe('parseAvcSps', () => {
  it('reads a 640x360 baseline SPS (coded as 368 lines, cropped by 8)', () => {
    const sps = parseAvcSps(Buffer.from(SPS_640x360_BASELINE_25, 'hex'));
    expect(sps).toMatchObject({ profileIdc: 66, levelIdc: 30, width: 640, height: 360, codedHeight: 368, fps: 25 });
  });

  it('reads a 1920x1080 high-profile SPS (coded as 1088 lines)', () => {
    const sps = parseAvcSps(Buffer.from(SPS_1920x1080_HIGH_30, 'hex'));
    expect(sps).toMatchObject({ profileIdc: 100, chromaFormatIdc: 1, bitDepthLuma: 8, width: 1920, height: 1080 });
    expect(sps).toMatchObject({ codedWidth: 1920, codedHeight: 1088, sar: [1, 1], fps: 30 });
  });

  it('reports fps from VUI timing even when fixed_frame_rate_flag is 0 (as x264 writes it)', () => {
    const sps = parseAvcSps(Buffer.from(SPS_1280x720_HIGH_30, 'hex'));
    expect(sps.timing).toEqual({ numUnitsInTick: 1, timeScale: 60, fixedFrameRate: false });
    expect(sps.fps).toBe(30);
  });

  it('refuses a NAL unit that is not an SPS', () => {
    expect(() => parseAvcSps(Buffer.from('68ebe3cb22c0', 'hex'))).toThrow(ParseError);
  });

  it('keeps the picture size when the VUI is cut short', () => {
    const full = Buffer.from(SPS_1280x720_HIGH_30, 'hex');
    const sps = parseAvcSps(full.subarray(0, 12));
    expect([sps.width, sps.height, sps.fps]).toEqual([1280, 720, undefined]);
  });

  it('finds the size of any SPS we can write, including high profiles, fields and cropping', () => {
    fc.assert(fc.property(spsArbitrary(), (p) => {
      const sps = parseAvcSps(writeSps(p));
      const chromaArrayType = p.separatePlanes ? 0 : p.chromaFormatIdc;
      const cropX = chromaArrayType === 0 || chromaArrayType === 3 ? 1 : 2;
      const cropY = (chromaArrayType === 1 ? 2 : 1) * (p.frameMbsOnly ? 1 : 2);
      const codedHeight = p.heightUnits * 16 * (p.frameMbsOnly ? 1 : 2);
      expect(sps.width).toBe(p.widthMbs * 16 - cropX * (p.crop[0] + p.crop[1]));
      expect(sps.height).toBe(codedHeight - cropY * (p.crop[2] + p.crop[3]));
      expect(sps.fps).toBe(p.timing ? Math.round((p.timing[1] / (2 * p.timing[0])) * 1000) / 1000 : undefined);
    }));
  });

  it('on arbitrary bytes returns or throws ParseError, nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const nal = Buffer.from([0x67, ...bytes]);
      try {
        const sps = parseAvcSps(nal);
        expect(sps.width).toBeGreaterThan(0);
        expect(sps.height).toBeGreaterThan(0);
      } catch (err) {
        expect(err).toBeInstanceOf(ParseError);
      }
    }), { numRuns: 2000 });
  });
});

interface SpsParams {
  profileIdc: number;
  chromaFormatIdc: number;
  separatePlanes: boolean;
  scalingLists: number[][] | null;
  pocType: number;
  pocCycle: number[];
  widthMbs: number;
  heightUnits: number;
  frameMbsOnly: boolean;
  crop: [number, number, number, number];
  sar: number | null;
  timing: [number, number] | null;
}

function spsArbitrary(): fc.Arbitrary<SpsParams> {
  return fc
    .record({
      profileIdc: fc.constantFrom(66, 77, 88, 100, 110, 122, 244),
      chroma: fc.integer({ min: 0, max: 3 }),
      separatePlanes: fc.boolean(),
      scalingLists: fc.option(fc.array(fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 64 }), { minLength: 12, maxLength: 12 })),
      pocType: fc.integer({ min: 0, max: 2 }),
      pocCycle: fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 5 }),
      widthMbs: fc.integer({ min: 1, max: 256 }),
      heightUnits: fc.integer({ min: 1, max: 135 }),
      frameMbsOnly: fc.boolean(),
      crop: fc.tuple(fc.nat(7), fc.nat(7), fc.nat(7), fc.nat(7)),
      sar: fc.option(fc.constantFrom(1, 2, 14, 255)),
      timing: fc.option(fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }))),
    })
    .map((r) => {
      const high = r.profileIdc >= 100;
      const chromaFormatIdc = high ? r.chroma : 1;
      return {
        profileIdc: r.profileIdc,
        chromaFormatIdc,
        separatePlanes: chromaFormatIdc === 3 && r.separatePlanes,
        scalingLists: high ? r.scalingLists : null,
        pocType: r.pocType,
        pocCycle: r.pocCycle,
        widthMbs: r.widthMbs,
        heightUnits: r.heightUnits,
        frameMbsOnly: r.frameMbsOnly,
        // keep at least one row/column of macroblocks after cropping
        crop: r.widthMbs > 1 && r.heightUnits > 1 ? r.crop : [0, 0, 0, 0],
        sar: r.sar,
        timing: r.timing,
      };
    });
}

/** Writes an SPS per H.264 §7.3.2.1.1 from the parameters (the inverse of what the parser reads). */
function writeSps(p: SpsParams): Buffer {
  const w = new BitWriter().u(8, 0x67).u(8, p.profileIdc).u(8, 0).u(8, 40).ue(0);
  if (p.profileIdc >= 100) {
    w.ue(p.chromaFormatIdc);
    if (p.chromaFormatIdc === 3) w.flag(p.separatePlanes);
    w.ue(0).ue(0).flag(false).flag(p.scalingLists !== null);
    if (p.scalingLists) {
      const count = p.chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < count; i++) {
        const deltas = p.scalingLists[i] ?? [];
        w.flag(deltas.length > 0);
        // a delta making nextScale 0 ends the list early, exactly as the parser expects
        if (deltas.length > 0) writeScalingList(w, deltas, i < 6 ? 16 : 64);
      }
    }
  }
  w.ue(0).ue(p.pocType);
  if (p.pocType === 0) w.ue(2);
  if (p.pocType === 1) {
    w.flag(false).se(-3).se(4).ue(p.pocCycle.length);
    for (const offset of p.pocCycle) w.se(offset);
  }
  w.ue(4).flag(false).ue(p.widthMbs - 1).ue(p.heightUnits - 1).flag(p.frameMbsOnly);
  if (!p.frameMbsOnly) w.flag(true);
  w.flag(true);
  const cropped = p.crop.some((c) => c > 0);
  w.flag(cropped);
  if (cropped) for (const c of p.crop) w.ue(c);
  w.flag(p.sar !== null || p.timing !== null);
  if (p.sar !== null || p.timing !== null) {
    w.flag(p.sar !== null);
    if (p.sar !== null) {
      w.u(8, p.sar);
      if (p.sar === 255) w.u(16, 4).u(16, 3);
    }
    w.flag(false).flag(true).u(3, 5).flag(false).flag(true).u(8, 1).u(8, 1).u(8, 1).flag(true).ue(1).ue(1);
    w.flag(p.timing !== null);
    if (p.timing) w.u(32, p.timing[0]).u(32, p.timing[1]).flag(true);
    w.flag(false).flag(false).flag(false).flag(false);
  }
  return addEmulationPrevention(w.trailingBits().toBuffer());
}

function writeScalingList(w: BitWriter, deltas: number[], size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size && next !== 0; j++) {
    const delta = deltas[j % deltas.length] ?? 0;
    w.se(delta);
    next = (((last + delta) % 256) + 256) % 256;
    last = next === 0 ? last : next;
  }
}
