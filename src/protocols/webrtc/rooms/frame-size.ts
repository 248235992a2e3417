import { parseAvcSps } from '../../../media/index.js';
import type { RoomVideoCodec } from './room-codecs.js';

/** Picture size carried by a keyframe's first RTP packet, when the codec puts it there. */
export interface FrameSize {
  width: number;
  height: number;
}

/**
 * Reads the picture size from the first packet of a keyframe: VP8's keyframe header (RFC 6386
 * §9.1, after the RFC 7741 payload descriptor) or an H.264 SPS sent alone or in a STAP-A. Lets
 * a room learn each simulcast layer's height without decoding. Undefined when the packet does not
 * carry it; never throws.
 */
export function keyframeSize(codec: RoomVideoCodec, payload: Buffer): FrameSize | undefined {
  try {
    if (codec === 'vp8') return vp8Size(payload);
    if (codec === 'h264') return h264Size(payload);
  } catch {
    // a truncated or odd SPS says nothing about the size; the next keyframe may
  }
  return undefined;
}

function vp8Size(p: Buffer): FrameSize | undefined {
  if (p.length < 1) return undefined;
  const b0 = p[0] as number;
  // S bit set and partition id 0: this packet starts the frame
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return undefined;
  let i = 1;
  if ((b0 & 0x80) !== 0) {
    const x = p[i++];
    if (x === undefined) return undefined;
    if ((x & 0x80) !== 0) i += ((p[i] ?? 0) & 0x80) !== 0 ? 2 : 1; // picture id, 7 or 15 bits
    if ((x & 0x40) !== 0) i += 1; // TL0PICIDX
    if ((x & 0x30) !== 0) i += 1; // TID / KEYIDX
  }
  // frame tag (3 bytes, P bit 0 for a keyframe), start code 9d 01 2a, then 14-bit width and height
  if (p.length < i + 10 || ((p[i] as number) & 0x01) !== 0) return undefined;
  if (p[i + 3] !== 0x9d || p[i + 4] !== 0x01 || p[i + 5] !== 0x2a) return undefined;
  return { width: p.readUInt16LE(i + 6) & 0x3fff, height: p.readUInt16LE(i + 8) & 0x3fff };
}

function h264Size(p: Buffer): FrameSize | undefined {
  if (p.length < 2) return undefined;
  const type = (p[0] as number) & 0x1f;
  if (type === 7) return spsSize(p);
  if (type !== 24) return undefined;
  for (let i = 1; i + 2 <= p.length; ) {
    const size = p.readUInt16BE(i);
    const nal = p.subarray(i + 2, i + 2 + size);
    if (nal.length > 0 && ((nal[0] as number) & 0x1f) === 7) return spsSize(nal);
    i += 2 + size;
  }
  return undefined;
}

function spsSize(nal: Buffer): FrameSize {
  const sps = parseAvcSps(nal);
  return { width: sps.width, height: sps.height };
}
