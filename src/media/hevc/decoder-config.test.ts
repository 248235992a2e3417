import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { joinNalUnits } from '../avc/nal-units.js';
import { buildHevcDecoderConfig, parseHevcDecoderConfig } from './decoder-config.js';
import { isHevcKeyframe } from './nal-units.js';
import { hevcCodecString, hevcLevelName } from './profile-tier-level.js';
import { hevcTrackInfo } from './track-info.js';

// Parameter sets libx265 3.5 wrote for testsrc2 1280x720 at 30 fps (ffmpeg 5.1, `-c:v libx265 -f mp4`).
const VPS_720P = Buffer.from('40010c01ffff01600000030090000003000003005d959809', 'hex');
const SPS_720P = Buffer.from(
  '42010101600000030090000003000003005da00280802d165959a4932bc05a020000030002000003003c10',
  'hex',
);
const PPS_720P = Buffer.from('4401c172b46240', 'hex');

/** The hvcC of that stream without its x265 info SEI array (ISO 14496-15 §8.3.3.1). */
function hvcC720p(): Buffer {
  const head = Buffer.from('0101600000009000000000005df000fcfdf8f800000f03', 'hex');
  const array = (type: number, nal: Buffer): Buffer =>
    Buffer.concat([Buffer.from([type, 0, 1, nal.length >> 8, nal.length & 0xff]), nal]);
  return Buffer.concat([head, array(0x20, VPS_720P), array(0x21, SPS_720P), array(0x22, PPS_720P)]);
}

describe('hvcC', () => {
  it('parses profile, tier, level and the parameter set arrays', () => {
    const c = parseHevcDecoderConfig(hvcC720p());
    expect(c).toMatchObject({ profileSpace: 0, tierFlag: false, profileIdc: 1, levelIdc: 93, nalLengthSize: 4 });
    expect(c).toMatchObject({ compatibilityFlags: 0x60000000, constraintFlags: [0x90, 0, 0, 0, 0, 0], chromaFormat: 1 });
    expect(c).toMatchObject({ numTemporalLayers: 1, temporalIdNested: true });
    expect([c.vps, c.sps, c.pps]).toEqual([[VPS_720P], [SPS_720P], [PPS_720P]]);
  });

  it('describes the track', () => {
    expect(hevcTrackInfo(hvcC720p())).toEqual({
      codec: 'h265',
      codecString: 'hvc1.1.6.L93.90',
      width: 1280,
      height: 720,
      fps: 30,
      profile: 'Main',
      level: '3.1',
    });
  });

  it('writes codec strings as ISO 14496-15 Annex E does', () => {
    const main10 = { profileSpace: 0, tierFlag: false, profileIdc: 2, compatibilityFlags: 0x20000000, levelIdc: 123 };
    expect(hevcCodecString({ ...main10, constraintFlags: [0xb0, 0, 0, 0, 0, 0] })).toBe('hvc1.2.4.L123.B0');
    const spaceA = { profileSpace: 1, tierFlag: true, profileIdc: 4, compatibilityFlags: 0x82000000, levelIdc: 120 };
    expect(hevcCodecString({ ...spaceA, constraintFlags: [0xb0, 0x23, 0, 0, 0, 0] }, 'hev1')).toBe('hev1.A4.41.H120.B0.23');
    expect(hevcCodecString({ ...main10, constraintFlags: [0, 0, 0, 0, 0, 0] })).toBe('hvc1.2.4.L123');
    expect(hevcLevelName(186)).toBe('6.2');
  });

  it('recognises IRAP access units as keyframes', () => {
    const idr = Buffer.from([0x26, 0x01, 0xaf]); // IDR_W_RADL
    const cra = Buffer.from([0x2a, 0x01, 0xaf]); // CRA_NUT
    const trail = Buffer.from([0x02, 0x01, 0xd0]); // TRAIL_R
    expect(isHevcKeyframe(joinNalUnits([VPS_720P, idr]))).toBe(true);
    expect(isHevcKeyframe(joinNalUnits([cra]))).toBe(true);
    expect(isHevcKeyframe(joinNalUnits([trail]))).toBe(false);
  });

  it('on arbitrary bytes returns or throws ParseError', () => {
    const valid = hvcC720p();
    const mutated = fc
      .tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length))
      .map(([at, byte, cut]) => {
        const copy = Buffer.from(valid);
        copy[at] = byte;
        return copy.subarray(0, cut);
      });
    fc.assert(fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from([1, ...a]))), (buf) => {
      for (const fn of [parseHevcDecoderConfig, hevcTrackInfo]) {
        try {
          fn(buf);
        } catch (err) {
          expect(err).toBeInstanceOf(ParseError);
        }
      }
    }), { numRuns: 3000 });
  });
});

describe('buildHevcDecoderConfig', () => {
  const sets = { vps: [VPS_720P], sps: [SPS_720P], pps: [PPS_720P] };

  it('writes the record ffmpeg wrote for the same parameter sets, byte for byte', () => {
    // ffmpeg 5.1 marks the arrays incomplete; everything else comes from the SPS
    expect(buildHevcDecoderConfig({ ...sets, complete: false })).toEqual(hvcC720p());
  });

  it('marks parameter set arrays complete by default, as hvc1 requires, and parses back', () => {
    const built = buildHevcDecoderConfig(sets);
    const c = parseHevcDecoderConfig(built);
    expect(c.arrays.map((a) => [a.nalType, a.complete])).toEqual([[32, true], [33, true], [34, true]]);
    expect([c.vps, c.sps, c.pps]).toEqual([[VPS_720P], [SPS_720P], [PPS_720P]]);
    expect(hevcTrackInfo(built)).toMatchObject({ codecString: 'hvc1.1.6.L93.90', width: 1280, height: 720, fps: 30 });
  });

  it('carries SEI units, several parameter sets and shorter NAL length prefixes', () => {
    const sei = Buffer.from('4e01050a78323635', 'hex');
    const pps2 = Buffer.from('4401c1a5', 'hex');
    const c = parseHevcDecoderConfig(buildHevcDecoderConfig({ ...sets, pps: [PPS_720P, pps2], sei: [sei], nalLengthSize: 2 }));
    expect(c.nalLengthSize).toBe(2);
    expect(c.pps).toEqual([PPS_720P, pps2]);
    expect(c.arrays.at(-1)).toEqual({ nalType: 39, complete: false, units: [sei] });
  });

  it('refuses to build without a readable SPS', () => {
    expect(() => buildHevcDecoderConfig({ ...sets, sps: [] })).toThrow(ParseError);
    expect(() => buildHevcDecoderConfig({ ...sets, sps: [PPS_720P] })).toThrow(ParseError);
  });
});
