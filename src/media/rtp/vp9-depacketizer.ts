import { ParseError } from '../../base/index.js';
import type { RtpPayloadPacket } from './h264-depacketizer.js';
import { FrameAssembler, type AssembledFrame } from './frame-assembler.js';

/** One VP9 frame rebuilt from RTP (RFC 9628); a keyframe is not inter-predicted (P clear on its first packet). */
export type Vp9Frame = AssembledFrame;

/** Fields of an RFC 9628 payload descriptor this depacketizer needs. */
interface Vp9Descriptor {
  length: number;
  interPredicted: boolean;
  beginsFrame: boolean;
  endsFrame: boolean;
}

/** Reads the RFC 9628 payload descriptor; throws ParseError when it is cut short. */
export function readVp9Descriptor(p: Buffer): Vp9Descriptor {
  const b0 = p[0];
  if (b0 === undefined) throw new ParseError('empty VP9 payload', 0);
  const need = (n: number): void => {
    if (n > p.length) throw new ParseError('VP9 descriptor longer than the payload', p.length);
  };
  const I = (b0 & 0x80) !== 0;
  const P = (b0 & 0x40) !== 0;
  const L = (b0 & 0x20) !== 0;
  const F = (b0 & 0x10) !== 0;
  const V = (b0 & 0x02) !== 0;
  let i = 1;
  if (I) {
    need(i + 1);
    i += ((p[i] as number) & 0x80) !== 0 ? 2 : 1; // 7- or 15-bit picture id
  }
  if (L) i += F ? 1 : 2; // TID/U/SID/D, and TL0PICIDX in non-flexible mode
  if (F && P) {
    // up to three P_DIFF bytes, each with N set when another follows
    for (let k = 0; k < 3; k++) {
      need(i + 1);
      const more = ((p[i++] as number) & 0x01) !== 0;
      if (!more) break;
    }
  }
  if (V) {
    need(i + 1);
    const ss = p[i++] as number;
    const spatialLayers = (ss >> 5) + 1;
    const Y = (ss & 0x10) !== 0;
    const G = (ss & 0x08) !== 0;
    if (Y) i += 4 * spatialLayers;
    if (G) {
      need(i + 1);
      const groups = p[i++] as number;
      for (let g = 0; g < groups; g++) {
        need(i + 1);
        const refs = ((p[i++] as number) >> 2) & 0x03;
        i += refs;
      }
    }
  }
  need(i);
  return { length: i, interPredicted: P, beginsFrame: (b0 & 0x08) !== 0, endsFrame: (b0 & 0x04) !== 0 };
}

/**
 * Rebuilds VP9 frames from RTP payloads: a frame starts at a packet with B set and ends at the
 * marker bit (or a timestamp change), spatial layers of one picture joined as an IVF reader takes
 * them. Packets must come in order; a gap marks the frame incomplete. A frame whose first packet
 * is not inter-predicted is a keyframe.
 */
export class Vp9Depacketizer {
  private readonly frames = new FrameAssembler(() => false);

  push(packet: RtpPayloadPacket): Vp9Frame[] {
    const d = readVp9Descriptor(packet.payload);
    return this.frames.push(packet, { payloadOffset: d.length, beginsFrame: d.beginsFrame, keyframe: !d.interPredicted });
  }

  reset(): void {
    this.frames.reset();
  }
}
