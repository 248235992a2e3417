import { ParseError } from '../../base/index.js';

/** AV1 OBU types (AV1 spec §6.2.2). */
export const Av1ObuType = {
  SequenceHeader: 1,
  TemporalDelimiter: 2,
  FrameHeader: 3,
  TileGroup: 4,
  Metadata: 5,
  Frame: 6,
  RedundantFrameHeader: 7,
  TileList: 8,
  Padding: 15,
} as const;

/** One OBU: its header fields and a view on its payload. */
export interface Av1Obu {
  type: number;
  temporalId: number;
  spatialId: number;
  payload: Buffer;
  /** Header + size field + payload, as a view on the input. */
  bytes: Buffer;
}

/**
 * Reads leb128() (AV1 §4.10.5) at `pos`, returning the value and its byte length;
 * at most 8 bytes and values below 2^32, as the spec requires.
 */
export function readLeb128(buf: Buffer, pos: number): { value: number; length: number } {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = buf[pos + i];
    if (byte === undefined) throw new ParseError('leb128 truncated', pos + i);
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) throw new ParseError('leb128 value above 2^32 - 1', pos);
      return { value, length: i + 1 };
    }
  }
  throw new ParseError('leb128 longer than 8 bytes', pos);
}

/**
 * Splits a low-overhead bitstream (the AV1-ISOBMFF sample and av1C configOBUs format) into OBUs;
 * an OBU without obu_has_size_field extends to the end of the buffer (AV1 §5.2).
 */
export function readObus(buf: Buffer): Av1Obu[] {
  const obus: Av1Obu[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const header = buf.readUInt8(pos++);
    if (header & 0x80) throw new ParseError('obu_forbidden_bit set', start);
    const type = (header >> 3) & 0x0f;
    let temporalId = 0;
    let spatialId = 0;
    if (header & 0x04) {
      const ext = buf[pos++];
      if (ext === undefined) throw new ParseError('OBU extension header truncated', start);
      temporalId = ext >> 5;
      spatialId = (ext >> 3) & 0x03;
    }
    let size = buf.length - pos;
    if (header & 0x02) {
      const leb = readLeb128(buf, pos);
      pos += leb.length;
      if (leb.value > buf.length - pos) {
        throw new ParseError(`OBU of ${leb.value} bytes overruns the buffer`, start);
      }
      size = leb.value;
    }
    obus.push({ type, temporalId, spatialId, payload: buf.subarray(pos, pos + size), bytes: buf.subarray(start, pos + size) });
    pos += size;
  }
  return obus;
}
