import { ParseError } from '../../base/index.js';

/** H.264 nal_unit_type values we act on (H.264 Table 7-1). */
export const AvcNalType = {
  NonIdrSlice: 1,
  IdrSlice: 5,
  Sei: 6,
  Sps: 7,
  Pps: 8,
  AccessUnitDelimiter: 9,
  EndOfSequence: 10,
  SpsExtension: 13,
} as const;

/** Size in bytes of the NAL unit length prefix (lengthSizeMinusOne + 1 in avcC/hvcC). */
export type NalLengthSize = 1 | 2 | 3 | 4;

/**
 * Splits length-prefixed NAL units (the ISO 14496-15 sample format used by FLV, MP4 and the hub)
 * into views on `data`; a length running past the end throws ParseError.
 */
export function splitNalUnits(data: Buffer, nalLengthSize: NalLengthSize = 4): Buffer[] {
  const units: Buffer[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (data.length - pos < nalLengthSize) {
      throw new ParseError(`NAL length prefix truncated (${data.length - pos} bytes left)`, pos);
    }
    const length = data.readUIntBE(pos, nalLengthSize);
    const start = pos + nalLengthSize;
    if (length > data.length - start) {
      throw new ParseError(`NAL unit of ${length} bytes overruns the ${data.length}-byte buffer`, pos);
    }
    units.push(data.subarray(start, start + length));
    pos = start + length;
  }
  return units;
}

/** Joins NAL units into the length-prefixed sample format (e.g. units depacketized from RTP). */
export function joinNalUnits(units: readonly Buffer[], nalLengthSize: NalLengthSize = 4): Buffer {
  const limit = 2 ** (8 * nalLengthSize);
  let total = 0;
  for (const unit of units) {
    if (unit.length >= limit) {
      throw new ParseError(`NAL unit of ${unit.length} bytes does not fit a ${nalLengthSize}-byte length`, 0);
    }
    total += nalLengthSize + unit.length;
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const unit of units) {
    out.writeUIntBE(unit.length, pos, nalLengthSize);
    pos += nalLengthSize + unit.copy(out, pos + nalLengthSize);
  }
  return out;
}

/** The nal_unit_type of an H.264 NAL unit (low 5 bits of its first byte), -1 when empty. */
export function avcNalType(nal: Buffer): number {
  const first = nal[0];
  return first === undefined ? -1 : first & 0x1f;
}

/** True when an H.264 access unit (length-prefixed NAL units) holds an IDR slice. */
export function isAvcKeyframe(data: Buffer, nalLengthSize: NalLengthSize = 4): boolean {
  return splitNalUnits(data, nalLengthSize).some((nal) => avcNalType(nal) === AvcNalType.IdrSlice);
}
