import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { BitWriter } from '../bits/bit-writer.js';
import { buildAv1CodecConfig, parseAv1CodecConfig } from './codec-config.js';
import { readLeb128, readObus } from './obu.js';
import { parseAv1SequenceHeader } from './sequence-header.js';
import { av1CodecString, av1LevelName, av1TrackInfo } from './track-info.js';

// av1C SVT-AV1 1.4.1 wrote for testsrc2 1280x720 at 30 fps (ffmpeg 5.1, `-c:v libsvtav1 -f mp4`)
const AV1C_720P = Buffer.from('81050c000a0b0000002d4cffb3c02f8004', 'hex');

describe('av1C and the sequence header', () => {
  it('parses a real av1C and its sequence header OBU', () => {
    const c = parseAv1CodecConfig(AV1C_720P);
    expect(c).toMatchObject({ profile: 0, level: 5, tier: 0, highBitdepth: false, chromaSubsamplingX: 1 });
    expect(c.sequenceHeader).toMatchObject({ maxFrameWidth: 1280, maxFrameHeight: 720, bitDepth: 8, level: 5 });
  });

  it('describes the track with an av01.P.LLT.DD codec string', () => {
    expect(av1TrackInfo(AV1C_720P)).toEqual({
      codec: 'av1',
      codecString: 'av01.0.05M.08',
      width: 1280,
      height: 720,
      profile: 'Main',
      level: '3.1',
    });
    expect(av1CodecString(2, 13, 1, 12)).toBe('av01.2.13H.12');
    expect(av1LevelName(8)).toBe('4.0');
  });

  it('builds an av1C from a sequence header OBU that parses back the same', () => {
    const obu = parseAv1CodecConfig(AV1C_720P).configObus;
    expect(buildAv1CodecConfig(obu)).toEqual(AV1C_720P);
  });

  it('splits OBUs with and without size fields and reads leb128', () => {
    const td = Buffer.from([0x12, 0x00]);
    const padding = Buffer.from([0x7a, 0x02, 0xaa, 0xbb]);
    const last = Buffer.from([0x30, 0x01, 0x02]); // frame header OBU without obu_size: runs to the end
    const obus = readObus(Buffer.concat([td, padding, last]));
    expect(obus.map((o) => o.type)).toEqual([2, 15, 6]);
    expect(obus[2]?.payload).toEqual(Buffer.from([0x01, 0x02]));
    expect(readLeb128(Buffer.from([0xe5, 0x8e, 0x26]), 0)).toEqual({ value: 624485, length: 3 });
    expect(() => readObus(Buffer.from([0x12, 0x05, 0x00]))).toThrow(ParseError);
  });

  it('parses any sequence header we can write', () => {
    fc.assert(fc.property(sequenceHeaderArbitrary(), (p) => {
      const seq = parseAv1SequenceHeader(writeSequenceHeader(p));
      expect([seq.profile, seq.level, seq.maxFrameWidth, seq.maxFrameHeight]).toEqual([p.profile, p.level, p.width, p.height]);
      expect(seq.bitDepth).toBe(p.profile === 2 && p.highBitdepth ? (p.twelveBit ? 12 : 10) : p.highBitdepth ? 10 : 8);
      expect(seq.fps).toBe(p.timing && !p.reduced ? Math.round((p.timing[1] / p.timing[0]) * 1000) / 1000 : undefined);
    }));
  });

  it('on arbitrary bytes returns or throws ParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
      const buf = Buffer.from(bytes);
      const asAv1C = Buffer.from([0x81, ...bytes]);
      for (const run of [() => parseAv1SequenceHeader(buf), () => av1TrackInfo(asAv1C), () => readObus(buf), () => buildAv1CodecConfig(buf)]) {
        try {
          run();
        } catch (err) {
          expect(err).toBeInstanceOf(ParseError);
        }
      }
    }), { numRuns: 3000 });
  });
});

interface SeqParams {
  profile: number;
  reduced: boolean;
  level: number;
  timing: [number, number] | null;
  decoderModel: boolean;
  operatingPoints: number;
  width: number;
  height: number;
  frameIds: boolean;
  orderHint: boolean;
  screenContent: number;
  highBitdepth: boolean;
  twelveBit: boolean;
  mono: boolean;
  colorDescription: number | null;
}

function sequenceHeaderArbitrary(): fc.Arbitrary<SeqParams> {
  return fc.record({
    profile: fc.integer({ min: 0, max: 2 }),
    reduced: fc.boolean(),
    level: fc.integer({ min: 0, max: 31 }),
    timing: fc.option(fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }))),
    decoderModel: fc.boolean(),
    operatingPoints: fc.integer({ min: 1, max: 4 }),
    width: fc.integer({ min: 1, max: 65536 }),
    height: fc.integer({ min: 1, max: 65536 }),
    frameIds: fc.boolean(),
    orderHint: fc.boolean(),
    screenContent: fc.integer({ min: 0, max: 2 }),
    highBitdepth: fc.boolean(),
    twelveBit: fc.boolean(),
    mono: fc.boolean(),
    colorDescription: fc.option(fc.constantFrom(0, 1)),
  });
}

/** Writes sequence_header_obu() per AV1 §5.5 (the parser's inverse, from the syntax tables). */
function writeSequenceHeader(p: SeqParams): Buffer {
  const w = new BitWriter().u(3, p.profile).flag(false).flag(p.reduced);
  if (p.reduced) w.u(5, p.level);
  else {
    w.flag(p.timing !== null);
    if (p.timing) {
      w.u(32, p.timing[0]).u(32, p.timing[1]).flag(true).u(1, 1); // equal_picture_interval, uvlc(0)
      w.flag(p.decoderModel);
      if (p.decoderModel) w.u(5, 9).u(32, 1000).u(5, 20).u(5, 20);
    }
    w.flag(true).u(5, p.operatingPoints - 1);
    for (let i = 0; i < p.operatingPoints; i++) {
      w.u(12, i === 0 ? 0 : 0x101).u(5, p.level);
      if (p.level > 7) w.u(1, 0);
      if (p.timing && p.decoderModel) {
        w.flag(true).u(10, 5).u(10, 5).flag(false);
      }
      w.flag(true).u(4, 9);
    }
  }
  w.u(4, 15).u(4, 15).u(16, p.width - 1).u(16, p.height - 1);
  if (!p.reduced) {
    w.flag(p.frameIds);
    if (p.frameIds) w.u(4, 5).u(3, 2);
  }
  w.u(3, 0b111);
  if (!p.reduced) {
    w.u(4, 0b1010).flag(p.orderHint);
    if (p.orderHint) w.u(2, 0b11);
    w.flag(p.screenContent === 2);
    if (p.screenContent !== 2) w.u(1, p.screenContent);
    if (p.screenContent > 0) w.flag(false).u(1, 1);
    if (p.orderHint) w.u(3, 6);
  }
  w.u(3, 0b011);
  // color_config()
  w.flag(p.highBitdepth);
  if (p.profile === 2 && p.highBitdepth) w.flag(p.twelveBit);
  const mono = p.profile !== 1 && p.mono;
  if (p.profile !== 1) w.flag(mono);
  w.flag(p.colorDescription !== null);
  // 1 → BT.709/sRGB/identity, the special case with no range or subsampling bits
  if (p.colorDescription !== null) w.u(8, 1).u(8, p.colorDescription ? 13 : 1).u(8, p.colorDescription ? 0 : 1);
  if (mono) w.flag(true);
  else if (p.colorDescription !== 1) {
    w.flag(false);
    const bitDepth = p.profile === 2 && p.highBitdepth && p.twelveBit ? 12 : 0;
    let ssx = p.profile === 1 ? 0 : 1;
    let ssy = p.profile === 0 ? 1 : 0;
    if (p.profile === 2 && bitDepth === 12) {
      w.u(1, 1).u(1, 1);
      ssx = 1;
      ssy = 1;
    }
    if (ssx && ssy) w.u(2, 1);
    w.flag(false);
  } else w.flag(false);
  return w.flag(false).trailingBits().toBuffer();
}
