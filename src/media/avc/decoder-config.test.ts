import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { buildAvcDecoderConfig, parseAvcDecoderConfig } from './decoder-config.js';
import { avcCodecString, avcLevelName, avcProfileName, avcTrackInfo } from './track-info.js';

const SPS_720P = Buffer.from('6764001facd9405005bb0110000003001000000303c0f1831960', 'hex');
const PPS = Buffer.from('68ebe3cb22c0', 'hex');
const SPS_360P_BASELINE = Buffer.from('6742c01ed900a02ff97011000003000100000300320f162e48', 'hex');
// the avcC ffmpeg 5.1 wrote in front of SPS_720P (FLV AVC sequence header body)
const AVCC_720P = Buffer.concat([
  Buffer.from('0164001fffe1001a', 'hex'), // version, profile, compat, level, length size 4, 1 SPS of 26 bytes
  SPS_720P,
  Buffer.from('010006', 'hex'), // 1 PPS of 6 bytes
  PPS,
  Buffer.from('fdf8f800', 'hex'), // 4:2:0, 8-bit luma and chroma, no SPS extensions
]);

describe('avcC', () => {
  it('parses the record ffmpeg writes, including the high-profile extension', () => {
    const c = parseAvcDecoderConfig(AVCC_720P);
    expect(c).toMatchObject({ profile: 100, compat: 0, level: 31, nalLengthSize: 4, chromaFormat: 1, bitDepthLuma: 8 });
    expect(c.sps).toEqual([SPS_720P]);
    expect(c.pps).toEqual([PPS]);
  });

  it('builds the same record ffmpeg writes from the SPS and PPS', () => {
    expect(buildAvcDecoderConfig({ sps: [SPS_720P], pps: [PPS] })).toEqual(AVCC_720P);
  });

  it('omits the extension for baseline and round-trips through the parser', () => {
    const built = buildAvcDecoderConfig({ sps: [SPS_360P_BASELINE], pps: [PPS, PPS], nalLengthSize: 2 });
    const c = parseAvcDecoderConfig(built);
    expect(c).toMatchObject({ profile: 66, compat: 0xc0, level: 30, nalLengthSize: 2 });
    expect(c.chromaFormat).toBeUndefined();
    expect(c.pps).toHaveLength(2);
  });

  it('describes the track: size, fps and an RFC 6381 codec string', () => {
    expect(avcTrackInfo(AVCC_720P)).toEqual({
      codec: 'h264',
      codecString: 'avc1.64001f',
      width: 1280,
      height: 720,
      fps: 30,
      profile: 'High',
      level: '3.1',
    });
  });

  it('names profiles and levels as Annex A does', () => {
    expect(avcCodecString(0x42, 0xc0, 0x1e)).toBe('avc1.42c01e');
    expect(avcProfileName(66, 0xc0)).toBe('Constrained Baseline');
    expect(avcLevelName(66, 0x10, 11)).toBe('1b');
    expect(avcLevelName(100, 0, 40)).toBe('4');
  });

  it('refuses a truncated record with ParseError', () => {
    expect(() => parseAvcDecoderConfig(AVCC_720P.subarray(0, 20))).toThrow(ParseError);
    expect(() => buildAvcDecoderConfig({ sps: [], pps: [PPS] })).toThrow(ParseError);
  });

  it('on arbitrary bytes returns or throws ParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), fc.boolean(), (bytes, asAvcc) => {
      const buf = Buffer.from(asAvcc ? [1, ...bytes] : bytes);
      for (const fn of [parseAvcDecoderConfig, avcTrackInfo]) {
        try {
          fn(buf);
        } catch (err) {
          expect(err).toBeInstanceOf(ParseError);
        }
      }
    }), { numRuns: 2000 });
  });
});
