import { ParseError } from '../../base/index.js';
import { ByteReader } from '../bits/byte-reader.js';
import type { NalLengthSize } from './nal-units.js';
import { parseAvcSps } from './sps.js';

/** An AVCDecoderConfigurationRecord ("avcC", ISO 14496-15 §5.3.3.1). */
export interface AvcDecoderConfig {
  profile: number;
  compat: number;
  level: number;
  nalLengthSize: NalLengthSize;
  sps: Buffer[];
  pps: Buffer[];
  /** Present for High profiles when the encoder wrote the optional extension fields. */
  chromaFormat?: number;
  bitDepthLuma?: number;
  bitDepthChroma?: number;
  spsExt?: Buffer[];
}

// ISO 14496-15 §5.3.3.1.2: the chroma/bit-depth extension exists only for these profiles
const EXTENDED_PROFILES = new Set([100, 110, 122, 144]);

/** Parses an avcC record (the body of an FLV AVC sequence header); SPS/PPS are views on `buf`. */
export function parseAvcDecoderConfig(buf: Buffer): AvcDecoderConfig {
  const r = new ByteReader(buf, 'avcC');
  const version = r.u8();
  if (version !== 1) r.fail(`configurationVersion ${version}, expected 1`, 0);
  const profile = r.u8();
  const compat = r.u8();
  const level = r.u8();
  const nalLengthSize = ((r.u8() & 0x03) + 1) as NalLengthSize;
  const sps = readParameterSets(r, r.u8() & 0x1f);
  const pps = readParameterSets(r, r.u8());
  const config: AvcDecoderConfig = { profile, compat, level, nalLengthSize, sps, pps };
  // many encoders (and older FLV muxers) omit the extension, so only read it if it is there
  if (EXTENDED_PROFILES.has(profile) && r.remaining >= 4) {
    config.chromaFormat = r.u8() & 0x03;
    config.bitDepthLuma = (r.u8() & 0x07) + 8;
    config.bitDepthChroma = (r.u8() & 0x07) + 8;
    config.spsExt = readParameterSets(r, r.u8());
  }
  return config;
}

function readParameterSets(r: ByteReader, count: number): Buffer[] {
  const sets: Buffer[] = [];
  for (let i = 0; i < count; i++) sets.push(r.bytes(r.u16()));
  return sets;
}

/** Options for building an avcC from parameter sets (e.g. received over RTP). */
export interface AvcDecoderConfigInit {
  sps: readonly Buffer[];
  pps: readonly Buffer[];
  nalLengthSize?: NalLengthSize;
}

/** Builds an avcC record from SPS/PPS NAL units; profile, level and chroma fields come from the first SPS. */
export function buildAvcDecoderConfig(init: AvcDecoderConfigInit): Buffer {
  const first = init.sps[0];
  if (!first) throw new ParseError('avcC needs at least one SPS', 0);
  if (init.sps.length > 31 || init.pps.length > 255) {
    throw new ParseError(`too many parameter sets (${init.sps.length} SPS, ${init.pps.length} PPS)`, 0);
  }
  for (const set of [...init.sps, ...init.pps]) {
    if (set.length > 0xffff) throw new ParseError(`parameter set of ${set.length} bytes exceeds 65535`, 0);
  }
  const info = parseAvcSps(first);
  const nalLengthSize = init.nalLengthSize ?? 4;
  const extended = EXTENDED_PROFILES.has(info.profileIdc);
  const size =
    7 +
    [...init.sps, ...init.pps].reduce((n, set) => n + 2 + set.length, 0) +
    (extended ? 4 : 0);
  const out = Buffer.alloc(size);
  let pos = out.writeUInt8(1, 0); // configurationVersion
  pos = out.writeUInt8(info.profileIdc, pos);
  pos = out.writeUInt8(info.constraintFlags, pos);
  pos = out.writeUInt8(info.levelIdc, pos);
  pos = out.writeUInt8(0xfc | (nalLengthSize - 1), pos);
  pos = out.writeUInt8(0xe0 | init.sps.length, pos);
  pos = writeParameterSets(out, pos, init.sps);
  pos = out.writeUInt8(init.pps.length, pos);
  pos = writeParameterSets(out, pos, init.pps);
  if (extended) {
    pos = out.writeUInt8(0xfc | info.chromaFormatIdc, pos);
    pos = out.writeUInt8(0xf8 | (info.bitDepthLuma - 8), pos);
    pos = out.writeUInt8(0xf8 | (info.bitDepthChroma - 8), pos);
    out.writeUInt8(0, pos); // numOfSequenceParameterSetExt
  }
  return out;
}

function writeParameterSets(out: Buffer, pos: number, sets: readonly Buffer[]): number {
  for (const set of sets) {
    pos = out.writeUInt16BE(set.length, pos);
    pos += set.copy(out, pos);
  }
  return pos;
}
