import type { RtpPayloadPacket } from './h264-depacketizer.js';
import { sequenceDelta } from './sequence.js';

/** A video frame rebuilt from RTP by a codec's depacketizer. */
export interface AssembledFrame {
  /** RTP timestamp (90 kHz) of the frame. */
  timestamp: number;
  data: Buffer;
  keyframe: boolean;
  /** False when packets of this frame were lost: decoding it would show corruption. */
  complete: boolean;
}

/** What a codec says about one packet: where its payload starts, and whether it begins a frame. */
export interface PacketShape {
  payloadOffset: number;
  beginsFrame: boolean;
  /** For a packet that begins a frame: whether that frame is a keyframe, when the descriptor tells. */
  keyframe?: boolean;
}

/**
 * The part of VP8 and VP9 depacketizing that is the same: a frame runs from a packet that begins
 * one to the marker bit (or a timestamp change); packets must come in order, and a sequence gap
 * marks the frame incomplete. The codec reads each packet's descriptor and, when the descriptor
 * does not say, the frame's keyframe flag from its data.
 */
export class FrameAssembler {
  private parts: Buffer[] = [];
  private timestamp: number | undefined;
  private complete = true;
  private started = false;
  private keyframe: boolean | undefined;
  private lastSequence: number | undefined;

  constructor(private readonly keyframeOf: (data: Buffer) => boolean) {}

  push(packet: RtpPayloadPacket, shape: PacketShape): AssembledFrame[] {
    const out: AssembledFrame[] = [];
    if (this.lastSequence !== undefined && sequenceDelta(this.lastSequence, packet.sequenceNumber) !== 1) this.complete = false;
    this.lastSequence = packet.sequenceNumber;
    if (this.timestamp !== undefined && packet.timestamp !== this.timestamp) this.emit(out);
    // a begin inside an open frame of the same timestamp is its next spatial layer (VP9 SVC): kept together
    if (shape.beginsFrame && !this.started) {
      this.started = true;
      this.complete = true;
      this.keyframe = shape.keyframe;
    }
    this.timestamp = packet.timestamp;
    if (this.started && packet.payload.length > shape.payloadOffset) this.parts.push(packet.payload.subarray(shape.payloadOffset));
    if (packet.marker) this.emit(out);
    return out;
  }

  reset(): void {
    this.parts = [];
    this.timestamp = undefined;
    this.started = false;
    this.complete = true;
  }

  private emit(out: AssembledFrame[]): void {
    if (this.started && this.parts.length > 0 && this.timestamp !== undefined) {
      const data = Buffer.concat(this.parts);
      out.push({ timestamp: this.timestamp, data, keyframe: this.keyframe ?? this.keyframeOf(data), complete: this.complete });
    }
    this.parts = [];
    this.timestamp = undefined;
    this.started = false;
  }
}
