import { splitNalUnits, type NalLengthSize } from '../avc/nal-units.js';

/** H.265 nal_unit_type values we act on (H.265 Table 7-1). */
export const HevcNalType = {
  /** First IRAP type (BLA_W_LP); IRAP pictures span 16..23. */
  BlaWLp: 16,
  IdrWRadl: 19,
  IdrNLp: 20,
  CraNut: 21,
  /** Last reserved IRAP type (RSV_IRAP_VCL23). */
  RsvIrap23: 23,
  Vps: 32,
  Sps: 33,
  Pps: 34,
  AccessUnitDelimiter: 35,
  EndOfSequence: 36,
  PrefixSei: 39,
  SuffixSei: 40,
} as const;

/** The nal_unit_type of an H.265 NAL unit (bits 1..6 of its 2-byte header), -1 when empty. */
export function hevcNalType(nal: Buffer): number {
  const first = nal[0];
  return first === undefined ? -1 : (first >> 1) & 0x3f;
}

/** True when an H.265 access unit (length-prefixed NAL units) starts a random access point (IRAP). */
export function isHevcKeyframe(data: Buffer, nalLengthSize: NalLengthSize = 4): boolean {
  return splitNalUnits(data, nalLengthSize).some((nal) => {
    const type = hevcNalType(nal);
    // H.265 §7.4.2.2: types 16..23 are IRAP (BLA, IDR, CRA)
    return type >= HevcNalType.BlaWLp && type <= HevcNalType.RsvIrap23;
  });
}
