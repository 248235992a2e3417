import { ParseError } from '../../base/index.js';
import { BitReader } from '../bits/bit-reader.js';
import { ByteReader } from '../bits/byte-reader.js';
import type { NalLengthSize } from '../avc/nal-units.js';
import { HevcNalType } from './nal-units.js';
import { readGeneralPtl, type HevcProfileTierLevel } from './profile-tier-level.js';
import { parseHevcSps } from './sps.js';

/** One NAL unit array of an hvcC (all units of one type). */
export interface HevcNalArray {
  nalType: number;
  /** array_completeness: all units of this type are here, none in the samples. */
  complete: boolean;
  units: Buffer[];
}

/** An HEVCDecoderConfigurationRecord ("hvcC", ISO 14496-15 §8.3.3.1). */
export interface HevcDecoderConfig extends HevcProfileTierLevel {
  minSpatialSegmentation: number;
  parallelismType: number;
  chromaFormat: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** Frames per 256 seconds, 0 when unspecified. */
  avgFrameRate: number;
  constantFrameRate: number;
  numTemporalLayers: number;
  temporalIdNested: boolean;
  nalLengthSize: NalLengthSize;
  vps: Buffer[];
  sps: Buffer[];
  pps: Buffer[];
  /** Every array in order, including SEI and others. */
  arrays: HevcNalArray[];
}

/** Parses an hvcC record; parameter sets are views on `buf`. */
export function parseHevcDecoderConfig(buf: Buffer): HevcDecoderConfig {
  const r = new ByteReader(buf, 'hvcC');
  const version = r.u8();
  if (version !== 1) r.fail(`configurationVersion ${version}, expected 1`, 0);
  const ptl = readGeneralPtl(new BitReader(r.bytes(12), 1, 'hvcC'));
  const minSpatialSegmentation = r.u16() & 0x0fff;
  const parallelismType = r.u8() & 0x03;
  const chromaFormat = r.u8() & 0x03;
  const bitDepthLuma = (r.u8() & 0x07) + 8;
  const bitDepthChroma = (r.u8() & 0x07) + 8;
  const avgFrameRate = r.u16();
  const packed = r.u8();
  const arrayCount = r.u8();
  const config: HevcDecoderConfig = {
    ...ptl,
    minSpatialSegmentation,
    parallelismType,
    chromaFormat,
    bitDepthLuma,
    bitDepthChroma,
    avgFrameRate,
    constantFrameRate: packed >> 6,
    numTemporalLayers: (packed >> 3) & 0x07,
    temporalIdNested: (packed & 0x04) !== 0,
    nalLengthSize: ((packed & 0x03) + 1) as NalLengthSize,
    vps: [],
    sps: [],
    pps: [],
    arrays: [],
  };
  for (let i = 0; i < arrayCount; i++) {
    const head = r.u8();
    const nalType = head & 0x3f;
    const count = r.u16();
    const units: Buffer[] = [];
    for (let j = 0; j < count; j++) units.push(r.bytes(r.u16()));
    config.arrays.push({ nalType, complete: (head & 0x80) !== 0, units });
    if (nalType === HevcNalType.Vps) config.vps.push(...units);
    else if (nalType === HevcNalType.Sps) config.sps.push(...units);
    else if (nalType === HevcNalType.Pps) config.pps.push(...units);
  }
  return config;
}

/** What an hvcC is built from: parameter sets as NAL units (with their 2-byte headers). */
export interface HevcDecoderConfigInit {
  vps: readonly Buffer[];
  sps: readonly Buffer[];
  pps: readonly Buffer[];
  /** Prefix SEI units to carry in the record too (ffmpeg keeps x265's info SEI there); none by default. */
  sei?: readonly Buffer[];
  nalLengthSize?: NalLengthSize;
  /**
   * array_completeness of the parameter set arrays: true (the default) promises that no parameter
   * sets travel in band, as an 'hvc1' sample entry requires (ISO 14496-15 §8.4.1.1.1).
   */
  complete?: boolean;
}

/**
 * Builds an hvcC record (ISO 14496-15 §8.3.3.1) from parameter sets, e.g. those an Annex B
 * encoder wrote; profile, tier, level, chroma and bit depth come from the first SPS.
 * Fields the SPS does not tell (segmentation, parallelism, frame rate) are written as unknown (0).
 */
export function buildHevcDecoderConfig(init: HevcDecoderConfigInit): Buffer {
  const first = init.sps[0];
  if (!first) throw new ParseError('hvcC needs at least one SPS', 0);
  const sps = parseHevcSps(first);
  const complete = init.complete ?? true;
  const arrays: HevcNalArray[] = [
    { nalType: HevcNalType.Vps, complete, units: [...init.vps] },
    { nalType: HevcNalType.Sps, complete, units: [...init.sps] },
    { nalType: HevcNalType.Pps, complete, units: [...init.pps] },
    { nalType: HevcNalType.PrefixSei, complete: false, units: [...(init.sei ?? [])] },
  ].filter((a) => a.units.length > 0);
  for (const { units } of arrays) {
    if (units.length > 0xffff) throw new ParseError(`${units.length} NAL units in one hvcC array exceed 65535`, 0);
    for (const unit of units) {
      if (unit.length > 0xffff) throw new ParseError(`parameter set of ${unit.length} bytes exceeds 65535`, 0);
    }
  }
  const { ptl } = sps;
  const nalLengthSize = init.nalLengthSize ?? 4;
  // H.265 §7.3.2.2: sps_temporal_id_nesting_flag is the last bit of the byte after the NAL header
  const temporalIdNested = ((first[2] ?? 0) & 0x01) !== 0;
  const size = 23 + arrays.reduce((n, a) => n + 3 + a.units.reduce((m, u) => m + 2 + u.length, 0), 0);
  const out = Buffer.alloc(size);
  let pos = out.writeUInt8(1, 0); // configurationVersion
  pos = out.writeUInt8((ptl.profileSpace << 6) | (ptl.tierFlag ? 0x20 : 0) | ptl.profileIdc, pos);
  pos = out.writeUInt32BE(ptl.compatibilityFlags, pos);
  for (const byte of ptl.constraintFlags) pos = out.writeUInt8(byte, pos);
  pos = out.writeUInt8(ptl.levelIdc, pos);
  pos = out.writeUInt16BE(0xf000, pos); // reserved 1111, min_spatial_segmentation_idc 0
  pos = out.writeUInt8(0xfc, pos); // reserved 111111, parallelismType 0 (unknown)
  pos = out.writeUInt8(0xfc | sps.chromaFormatIdc, pos);
  pos = out.writeUInt8(0xf8 | (sps.bitDepthLuma - 8), pos);
  pos = out.writeUInt8(0xf8 | (sps.bitDepthChroma - 8), pos);
  pos = out.writeUInt16BE(0, pos); // avgFrameRate unspecified
  // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne
  pos = out.writeUInt8((sps.maxSubLayers << 3) | (temporalIdNested ? 0x04 : 0) | (nalLengthSize - 1), pos);
  pos = out.writeUInt8(arrays.length, pos);
  for (const array of arrays) {
    pos = out.writeUInt8((array.complete ? 0x80 : 0) | array.nalType, pos);
    pos = out.writeUInt16BE(array.units.length, pos);
    for (const unit of array.units) {
      pos = out.writeUInt16BE(unit.length, pos);
      pos += unit.copy(out, pos);
    }
  }
  return out;
}
