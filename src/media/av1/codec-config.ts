import { ParseError } from '../../base/index.js';
import { ByteReader } from '../bits/byte-reader.js';
import { Av1ObuType, readObus } from './obu.js';
import { parseAv1SequenceHeader, type Av1SequenceHeader } from './sequence-header.js';

/** An AV1CodecConfigurationRecord ("av1C", AV1-ISOBMFF §2.3.3). */
export interface Av1CodecConfig {
  profile: number;
  level: number;
  tier: number;
  highBitdepth: boolean;
  twelveBit: boolean;
  monochrome: boolean;
  chromaSubsamplingX: number;
  chromaSubsamplingY: number;
  chromaSamplePosition: number;
  initialPresentationDelay?: number;
  /** configOBUs: the sequence header OBU and maybe metadata OBUs, low-overhead format. */
  configObus: Buffer;
  /** The parsed sequence header from configOBUs, when there is one. */
  sequenceHeader?: Av1SequenceHeader;
}

/** Parses an av1C record (4 bytes + configOBUs). */
export function parseAv1CodecConfig(buf: Buffer): Av1CodecConfig {
  const r = new ByteReader(buf, 'av1C');
  const first = r.u8();
  // marker (1) and version (1) in one byte: 0x81
  if (first !== 0x81) r.fail(`marker/version byte 0x${first.toString(16)}, expected 0x81`, 0);
  const b1 = r.u8();
  const b2 = r.u8();
  const b3 = r.u8();
  const config: Av1CodecConfig = {
    profile: b1 >> 5,
    level: b1 & 0x1f,
    tier: b2 >> 7,
    highBitdepth: (b2 & 0x40) !== 0,
    twelveBit: (b2 & 0x20) !== 0,
    monochrome: (b2 & 0x10) !== 0,
    chromaSubsamplingX: (b2 >> 3) & 1,
    chromaSubsamplingY: (b2 >> 2) & 1,
    chromaSamplePosition: b2 & 0x03,
    configObus: r.rest(),
  };
  if (b3 & 0x10) config.initialPresentationDelay = (b3 & 0x0f) + 1;
  const header = readObus(config.configObus).find((obu) => obu.type === Av1ObuType.SequenceHeader);
  if (header) config.sequenceHeader = parseAv1SequenceHeader(header.payload);
  return config;
}

/** Builds an av1C record around a sequence header OBU (complete, with its OBU header). */
export function buildAv1CodecConfig(sequenceHeaderObu: Buffer): Buffer {
  const obu = readObus(sequenceHeaderObu)[0];
  if (!obu || obu.type !== Av1ObuType.SequenceHeader) {
    throw new ParseError('expected a sequence header OBU', 0);
  }
  const seq = parseAv1SequenceHeader(obu.payload);
  const head = Buffer.from([
    0x81,
    (seq.profile << 5) | seq.level,
    (seq.tier << 7) |
      (seq.bitDepth > 8 ? 0x40 : 0) |
      (seq.bitDepth === 12 ? 0x20 : 0) |
      (seq.monochrome ? 0x10 : 0) |
      (seq.subsamplingX << 3) |
      (seq.subsamplingY << 2) |
      seq.chromaSamplePosition,
    0, // no initial presentation delay
  ]);
  return Buffer.concat([head, obu.bytes]);
}
