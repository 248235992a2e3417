import { ParseError } from '../../base/index.js';
import type { RtpPayloadPacket } from './h264-depacketizer.js';
import { sequenceDelta } from './sequence.js';

/** One VP8 frame rebuilt from RTP (RFC 7741). */
export interface Vp8Frame {
  /** RTP timestamp (90 kHz) of the frame. */
  timestamp: number;
  data: Buffer;
  keyframe: boolean;
  /** False when packets of this frame were lost: decoding it would show corruption. */
  complete: boolean;
}

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
  private parts: Buffer[] = [];
  private timestamp: number | undefined;
  private complete = true;
  private started = false;
  private lastSequence: number | undefined;

  push(packet: RtpPayloadPacket): Vp8Frame[] {
    const out: Vp8Frame[] = [];
    if (this.lastSequence !== undefined && sequenceDelta(this.lastSequence, packet.sequenceNumber) !== 1) this.complete = false;
    this.lastSequence = packet.sequenceNumber;
    if (this.timestamp !== undefined && packet.timestamp !== this.timestamp) this.emit(out);
    const skip = vp8DescriptorLength(packet.payload);
    const b0 = packet.payload[0] as number;
    const startsFrame = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
    if (startsFrame) {
      if (this.parts.length > 0) this.emit(out);
      this.started = true;
      this.complete = true;
    }
    this.timestamp = packet.timestamp;
    if (this.started && packet.payload.length > skip) this.parts.push(packet.payload.subarray(skip));
    if (packet.marker) this.emit(out);
    return out;
  }

  reset(): void {
    this.parts = [];
    this.timestamp = undefined;
    this.started = false;
    this.complete = true;
  }

  private emit(out: Vp8Frame[]): void {
    if (this.started && this.parts.length > 0 && this.timestamp !== undefined) {
      const data = Buffer.concat(this.parts);
      // RFC 6386 §9.1: bit 0 of the frame tag is 0 on a keyframe
      out.push({ timestamp: this.timestamp, data, keyframe: ((data[0] as number) & 0x01) === 0, complete: this.complete });
    }
    this.parts = [];
    this.timestamp = undefined;
    this.started = false;
  }
}
