import { ParseError } from '../../base/index.js';
import { H264RtpNalType } from './h264-packetizer.js';
import { sequenceDelta } from './sequence.js';

/** What the depacketizer needs from one RTP packet. */
export interface RtpPayloadPacket {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
}

/** One access unit rebuilt from RTP: the NAL units of one picture, in decoding order. */
export interface H264AccessUnit {
  /** RTP timestamp (90 kHz) shared by every packet of the access unit. */
  timestamp: number;
  nalUnits: Buffer[];
  /** True when an IDR slice is present. */
  keyframe: boolean;
  /** False when packets of this access unit were lost: decoding it would show corruption. */
  complete: boolean;
}

const IDR_SLICE = 5;

/**
 * Rebuilds H.264 access units from RTP payloads (RFC 6184 packetization-mode 0 and 1): single NAL
 * unit packets, STAP-A and FU-A. Packets must come in order (a jitter buffer's job); a gap in
 * sequence numbers marks the access unit incomplete. An access unit ends at the marker bit or when
 * the timestamp changes (for senders that forget the marker).
 */
export class H264Depacketizer {
  private nalUnits: Buffer[] = [];
  private timestamp: number | undefined;
  private complete = true;
  private lastSequence: number | undefined;
  /** FU-A fragments of the NAL unit being rebuilt; undefined when not inside one. */
  private fragments: Buffer[] | undefined;

  /** Takes the next packet; returns the access units it completed (zero, one, or two on a timestamp change). */
  push(packet: RtpPayloadPacket): H264AccessUnit[] {
    const done: H264AccessUnit[] = [];
    if (this.lastSequence !== undefined) {
      const delta = sequenceDelta(this.lastSequence, packet.sequenceNumber);
      // a duplicate or a late packet: the unit it belonged to has already been judged
      if (delta <= 0) return done;
      if (delta > 1) this.markLoss();
    }
    this.lastSequence = packet.sequenceNumber;
    if (this.timestamp !== undefined && packet.timestamp !== this.timestamp && packet.payload.length > 0) {
      const unit = this.finish();
      if (unit !== undefined) done.push(unit);
    }
    // padding-only packets (bandwidth probes) use a sequence number but carry no media
    if (packet.payload.length === 0) return done;
    this.timestamp = packet.timestamp;
    this.readPayload(packet.payload);
    if (packet.marker) {
      const unit = this.finish();
      if (unit !== undefined) done.push(unit);
    }
    return done;
  }

  /** Forgets any partial access unit, e.g. after the sender changed. */
  reset(): void {
    this.nalUnits = [];
    this.timestamp = undefined;
    this.complete = true;
    this.lastSequence = undefined;
    this.fragments = undefined;
  }

  private markLoss(): void {
    this.complete = false;
    this.fragments = undefined;
  }

  private finish(): H264AccessUnit | undefined {
    const timestamp = this.timestamp;
    const nalUnits = this.nalUnits;
    // a NAL unit still in fragments at the end of its access unit lost its tail
    const complete = this.complete && this.fragments === undefined;
    this.nalUnits = [];
    this.fragments = undefined;
    this.complete = true;
    this.timestamp = undefined;
    // an access unit that lost everything is still reported, so the caller knows to wait for a keyframe
    if (timestamp === undefined || (nalUnits.length === 0 && complete)) return undefined;
    const keyframe = nalUnits.some((n) => ((n[0] as number) & 0x1f) === IDR_SLICE);
    return { timestamp, nalUnits, keyframe, complete };
  }

  private readPayload(payload: Buffer): void {
    const type = (payload[0] as number) & 0x1f;
    if (type >= 1 && type <= 23) {
      this.nalUnits.push(payload);
    } else if (type === H264RtpNalType.StapA) {
      this.readStapA(payload);
    } else if (type === H264RtpNalType.FuA) {
      this.readFuA(payload);
    } else {
      // STAP-B, MTAP and FU-B belong to the interleaved mode, which we never offer
      throw new ParseError(`H.264 RTP payload type ${type} is not supported`, 0);
    }
  }

  private readStapA(payload: Buffer): void {
    let pos = 1;
    while (pos < payload.length) {
      if (pos + 2 > payload.length) throw new ParseError('STAP-A unit size truncated', pos);
      const size = payload.readUInt16BE(pos);
      pos += 2;
      if (size === 0 || pos + size > payload.length) throw new ParseError(`STAP-A unit of ${size} bytes does not fit`, pos - 2);
      this.nalUnits.push(payload.subarray(pos, pos + size));
      pos += size;
    }
  }

  private readFuA(payload: Buffer): void {
    if (payload.length < 3) throw new ParseError('FU-A shorter than its headers plus one byte', 0);
    const indicator = payload[0] as number;
    const fuHeader = payload[1] as number;
    const start = (fuHeader & 0x80) !== 0;
    const end = (fuHeader & 0x40) !== 0;
    if (start) {
      if (this.fragments !== undefined) this.complete = false;
      // RFC 6184 §5.8: rebuild the NAL header from the indicator's F/NRI and the FU header's type
      this.fragments = [Buffer.from([(indicator & 0xe0) | (fuHeader & 0x1f)]), payload.subarray(2)];
    } else if (this.fragments !== undefined) {
      this.fragments.push(payload.subarray(2));
    } else {
      // a middle or end fragment whose start we never saw
      this.complete = false;
      return;
    }
    if (end) {
      this.nalUnits.push(Buffer.concat(this.fragments));
      this.fragments = undefined;
    }
  }
}
