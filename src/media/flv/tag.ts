import type { HubFrame } from '../frame.js';
import { buildFlvBody } from './build-body.js';
import { FlvTagType, type FlvTagTypeValue } from './constants.js';
import { FlvEncodeError } from './errors.js';

/** Size of an FLV tag header. */
export const FLV_TAG_HEADER_SIZE = 11;
const MAX_BODY = 0xffffff;

/**
 * A complete FLV tag: the 11-byte header (24-bit timestamp plus its extension byte, stream id 0),
 * the body and the 4-byte PreviousTagSize, in one allocation. Timestamps wrap modulo 2^32.
 */
export function buildFlvTag(type: FlvTagTypeValue, timestampMs: number, body: Buffer): Buffer {
  if (body.length > MAX_BODY) throw new FlvEncodeError(`tag body of ${body.length} bytes exceeds 16 MiB`);
  const tagSize = FLV_TAG_HEADER_SIZE + body.length;
  const out = Buffer.allocUnsafe(tagSize + 4);
  const ts = (((Math.floor(timestampMs) % 2 ** 32) + 2 ** 32) % 2 ** 32);
  out[0] = type;
  out.writeUIntBE(body.length, 1, 3);
  // FLV §E.4.1: Timestamp holds the low 24 bits, TimestampExtended the upper 8
  out.writeUIntBE(ts % 0x1000000, 4, 3);
  out[7] = Math.floor(ts / 0x1000000);
  out.writeUIntBE(0, 8, 3); // StreamID, always 0
  body.copy(out, FLV_TAG_HEADER_SIZE);
  out.writeUInt32BE(tagSize, tagSize);
  return out;
}

/**
 * The FLV tag of a hub frame (timestamp = DTS), built once and cached in `frame.flvTag`
 * so HTTP-FLV and WS-FLV viewers all share the same bytes.
 */
export function flvTagOf(frame: HubFrame): Buffer {
  if (frame.flvTag) return frame.flvTag;
  let tag: Buffer;
  if (frame.kind === 'metadata') tag = buildFlvTag(FlvTagType.Script, frame.dts, frame.amf0);
  else tag = buildFlvTag(frame.kind === 'video' ? FlvTagType.Video : FlvTagType.Audio, frame.dts, buildFlvBody(frame));
  frame.flvTag = tag;
  return tag;
}

/** Which track kinds an FLV file header announces. */
export interface FlvFileHeaderFlags {
  audio: boolean;
  video: boolean;
}

/** The 9-byte FLV file header (§E.2) followed by PreviousTagSize0 (4 zero bytes). */
export function buildFlvFileHeader(flags: FlvFileHeaderFlags): Buffer {
  const out = Buffer.alloc(13);
  out.write('FLV', 0, 'latin1');
  out[3] = 1; // version
  out[4] = (flags.audio ? 0x04 : 0) | (flags.video ? 0x01 : 0);
  out.writeUInt32BE(9, 5); // DataOffset: header size
  return out;
}

/** Header + PreviousTagSize0 announcing both audio and video; shared, never mutate it. */
export const FLV_FILE_HEADER_AV: Buffer = buildFlvFileHeader({ audio: true, video: true });
