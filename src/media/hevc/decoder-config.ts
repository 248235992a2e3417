import { BitReader } from '../bits/bit-reader.js';
import { ByteReader } from '../bits/byte-reader.js';
import type { NalLengthSize } from '../avc/nal-units.js';
import { HevcNalType } from './nal-units.js';
import { readGeneralPtl, type HevcProfileTierLevel } from './profile-tier-level.js';

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
