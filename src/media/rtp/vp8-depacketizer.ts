import { ParseError } from '../../base/index.js';
import type { RtpPayloadPacket } from './h264-depacketizer.js';
import { FrameAssembler, type AssembledFrame } from './frame-assembler.js';

/** One VP8 frame rebuilt from RTP (RFC 7741). */
export type Vp8Frame = AssembledFrame;

/** Length of the RFC 7741 payload descriptor at the start of `payload`; throws ParseError when it is cut short. */
export function vp8DescriptorLength(payload: Buffer): number {
  const b0 = payload[0];
  if (b0 === undefined) throw new ParseError('empty VP8 payload', 0);
  let i = 1;
  if ((b0 & 0x80) !== 0) {
    const x = payload[i++];
    if (x === undefined) throw new ParseError('VP8 descriptor cut after X', 1);
    if ((x & 0x80) !== 0) i += ((payload[i] ?? 0) & 0x80) !== 0 ? 2 : 1; // picture id, 7 or 15 bits
    if ((x & 0x40) !== 0) i += 1; // TL0PICIDX
    if ((x & 0x30) !== 0) i += 1; // TID, Y, KEYIDX
  }
  if (i > payload.length) throw new ParseError('VP8 descriptor longer than the payload', payload.length);
  return i;
}

/**
 * Rebuilds VP8 frames from RTP payloads: a frame starts at a packet with S=1 and partition 0 and
 * ends at the marker bit (or when the timestamp changes). Packets must come in order; a gap marks
 * the frame incomplete.
 */
export class Vp8Depacketizer {
  // RFC 6386 §9.1: bit 0 of the frame tag is 0 on a keyframe
  private readonly frames = new FrameAssembler((data) => ((data[0] as number) & 0x01) === 0);

  push(packet: RtpPayloadPacket): Vp8Frame[] {
    const payloadOffset = vp8DescriptorLength(packet.payload);
    const b0 = packet.payload[0] as number;
    return this.frames.push(packet, { payloadOffset, beginsFrame: (b0 & 0x10) !== 0 && (b0 & 0x07) === 0 });
  }

  reset(): void {
    this.frames.reset();
  }
}
