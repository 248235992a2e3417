import { ParseError } from '../../base/index.js';

/** The fixed RTP header fields (RFC 3550 §5.1) plus the raw header extension, if any. */
export interface RtpHeaderFields {
  marker: boolean;
  payloadType: number;
  /** 16-bit sequence number. */
  sequenceNumber: number;
  /** 32-bit media timestamp in the codec's clock rate. */
  timestamp: number;
  ssrc: number;
  csrcs?: readonly number[];
  /** RFC 3550 §5.3.1 header extension: profile and body (a multiple of 4 bytes). */
  extension?: { profile: number; data: Buffer };
}

/** A parsed RTP packet; `payload` is a view on the input with padding removed. */
export interface RtpPacketView extends RtpHeaderFields {
  payload: Buffer;
  /** Bytes of padding the sender added (RFC 3550 §5.1 P bit). */
  paddingLength: number;
}

const FIXED_HEADER = 12;

/** Reads an RTP packet; anything that is not version 2 or runs short throws ParseError. */
export function parseRtpPacket(buf: Buffer): RtpPacketView {
  if (buf.length < FIXED_HEADER) throw new ParseError(`RTP packet of ${buf.length} bytes is shorter than its header`, 0);
  const b0 = buf[0] as number;
  const b1 = buf[1] as number;
  if (b0 >> 6 !== 2) throw new ParseError(`RTP version ${b0 >> 6}, expected 2`, 0);
  const padding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  let pos = FIXED_HEADER;
  if (buf.length < pos + csrcCount * 4) throw new ParseError('RTP CSRC list truncated', pos);
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++, pos += 4) csrcs.push(buf.readUInt32BE(pos));
  let extension: RtpHeaderFields['extension'];
  if (hasExtension) {
    if (buf.length < pos + 4) throw new ParseError('RTP header extension truncated', pos);
    const profile = buf.readUInt16BE(pos);
    const length = buf.readUInt16BE(pos + 2) * 4;
    if (buf.length < pos + 4 + length) throw new ParseError('RTP header extension body truncated', pos + 4);
    extension = { profile, data: buf.subarray(pos + 4, pos + 4 + length) };
    pos += 4 + length;
  }
  let end = buf.length;
  let paddingLength = 0;
  if (padding) {
    paddingLength = buf[buf.length - 1] as number;
    // RFC 3550 §5.1: the count includes itself, so 0 is malformed
    if (paddingLength === 0 || end - paddingLength < pos) throw new ParseError(`RTP padding of ${paddingLength} bytes does not fit`, buf.length - 1);
    end -= paddingLength;
  }
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    ...(csrcs.length > 0 ? { csrcs } : {}),
    ...(extension !== undefined ? { extension } : {}),
    payload: buf.subarray(pos, end),
    paddingLength,
  };
}

/** Writes an RTP packet (no padding); the inverse of parseRtpPacket for unpadded packets. */
export function serializeRtpPacket(header: RtpHeaderFields, payload: Buffer): Buffer {
  const csrcs = header.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError(`${csrcs.length} CSRCs, at most 15 fit`);
  const ext = header.extension;
  if (ext !== undefined && (ext.data.length % 4 !== 0 || ext.data.length > 0xffff * 4)) {
    throw new RangeError(`RTP header extension of ${ext.data.length} bytes is not a multiple of 4 below 256 KiB`);
  }
  const headerSize = FIXED_HEADER + csrcs.length * 4 + (ext !== undefined ? 4 + ext.data.length : 0);
  const out = Buffer.allocUnsafe(headerSize + payload.length);
  out[0] = 0x80 | (ext !== undefined ? 0x10 : 0) | csrcs.length;
  out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  out.writeUInt16BE(header.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(header.timestamp >>> 0, 4);
  out.writeUInt32BE(header.ssrc >>> 0, 8);
  let pos = FIXED_HEADER;
  for (const c of csrcs) pos = out.writeUInt32BE(c >>> 0, pos);
  if (ext !== undefined) {
    pos = out.writeUInt16BE(ext.profile, pos);
    pos = out.writeUInt16BE(ext.data.length / 4, pos);
    pos += ext.data.copy(out, pos);
  }
  payload.copy(out, pos);
  return out;
}
