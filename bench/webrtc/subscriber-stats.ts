import { H264RtpNalType } from '../../src/media/index.js';
import type { FrameLog } from './frame-log.js';
import { TICKS_PER_FRAME } from './h264-clip.js';

const IDR = 5;
const SPS = 7;

/**
 * Whether an H.264 RTP payload (RFC 6184) begins a keyframe: an SPS or IDR slice alone, inside
 * a STAP-A, or as the first fragment of an FU-A.
 */
export function startsKeyframe(payload: Buffer): boolean {
  if (payload.length === 0) return false;
  const type = (payload[0] as number) & 0x1f;
  if (type === H264RtpNalType.StapA) {
    for (let pos = 1; pos + 2 < payload.length; pos += 2 + payload.readUInt16BE(pos)) {
      const inner = (payload[pos + 2] as number) & 0x1f;
      if (inner === SPS || inner === IDR) return true;
    }
    return false;
  }
  if (type === H264RtpNalType.FuA) {
    if (payload.length < 2 || ((payload[1] as number) & 0x80) === 0) return false;
    const inner = (payload[1] as number) & 0x1f;
    return inner === SPS || inner === IDR;
  }
  return type === SPS || type === IDR;
}

/** The RTP fields one subscriber looks at, per packet. */
export interface PacketInfo {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  /** startsKeyframe(payload). */
  keyframeStart: boolean;
}

/**
 * One subscriber's view of the stream: which publisher frame each packet belongs to, packets per
 * frame inside the measurement window, and the forwarding latency of each frame (arrival of its
 * marker packet minus when the publisher sent that frame's last packet).
 *
 * The server rewrites SSRC, sequence numbers and the timestamp offset but keeps timestamp deltas
 * (to its 1 ms rounding), so a frame is found from how far its timestamp lies from the first
 * keyframe's, in frames. That keyframe is taken to be the newest one the publisher had sent when
 * it arrived; a viewer served an older GOP from the server's cache would then see a frame "before"
 * the publisher sent it, which moves the anchor back one GOP.
 */
export class SubscriberStats {
  packets = 0;
  /** Frames whose marker packet came in, after the anchor was found. */
  frames = 0;
  private anchor: { ext: number; frame: number } | undefined;
  private lastTs = 0;
  private extTs = 0;
  private firstSeq: number | undefined;
  private lastSeq = 0;
  private extSeq = 0;
  private counts: Int32Array | undefined;
  private from = 0;
  private to = Number.POSITIVE_INFINITY;

  constructor(
    private readonly log: FrameLog,
    private readonly onLatency: (ms: number) => void,
  ) {}

  /** Starts counting packets of frames `from` onwards (at most `maxFrames` of them). */
  openWindow(from: number, maxFrames: number): void {
    this.counts = new Int32Array(maxFrames);
    this.from = from;
    this.to = Number.POSITIVE_INFINITY;
  }

  /** Frames after `to` no longer count; late packets of earlier frames still do. */
  closeWindow(to: number): void {
    this.to = to;
  }

  /** Packets received of frames `from`..`to` of the window. */
  get windowPackets(): number {
    if (this.counts === undefined) return 0;
    let sum = 0;
    const last = Math.min(this.counts.length - 1, this.to - this.from);
    for (let i = 0; i <= last; i++) sum += this.counts[i] as number;
    return sum;
  }

  /** RFC 3550 §A.3: packets lost by sequence number over the whole session (network loss only). */
  get sequenceLoss(): { expected: number; lost: number } {
    if (this.firstSeq === undefined) return { expected: 0, lost: 0 };
    const expected = this.extSeq - this.firstSeq + 1;
    return { expected, lost: Math.max(0, expected - this.packets) };
  }

  /** Publisher frame number of a packet, once anchored. */
  frameOf(timestamp: number): number | undefined {
    if (this.anchor === undefined) return undefined;
    return this.anchor.frame + Math.round((this.extend(timestamp) - this.anchor.ext) / TICKS_PER_FRAME);
  }

  onPacket(p: PacketInfo, nowMs: number): void {
    this.packets++;
    this.trackSequence(p.sequenceNumber);
    const ext = this.advance(p.timestamp);
    if (this.anchor === undefined) {
      if (!p.keyframeStart) return;
      const frame = this.log.keyframeBefore(nowMs);
      if (frame === undefined) return;
      this.anchor = { ext, frame };
    }
    let n = this.anchor.frame + Math.round((ext - this.anchor.ext) / TICKS_PER_FRAME);
    let sentAt = this.log.doneTime(n);
    if (p.marker && (sentAt === undefined || sentAt > nowMs)) {
      // a frame cannot arrive before it was sent: the anchor keyframe came from the server's cache
      const earlier = this.log.keyframeBeforeFrame(this.anchor.frame);
      if (earlier === undefined) return;
      this.anchor.frame = earlier;
      n = this.anchor.frame + Math.round((ext - this.anchor.ext) / TICKS_PER_FRAME);
      sentAt = this.log.doneTime(n);
    }
    if (p.marker) this.frames++;
    if (this.counts === undefined || n < this.from || n > this.to) return;
    const i = n - this.from;
    if (i < this.counts.length) this.counts[i] = (this.counts[i] as number) + 1;
    if (p.marker && sentAt !== undefined) this.onLatency(nowMs - sentAt);
  }

  /** Extends a 32-bit timestamp near the last one (signed step: survives wrap and reordering). */
  private extend(timestamp: number): number {
    return this.extTs + ((timestamp - this.lastTs) | 0);
  }

  private advance(timestamp: number): number {
    if (this.packets === 1) {
      this.lastTs = timestamp;
      this.extTs = timestamp;
      return timestamp;
    }
    const ext = this.extend(timestamp);
    if (ext > this.extTs) {
      this.extTs = ext;
      this.lastTs = timestamp;
    }
    return ext;
  }

  private trackSequence(seq: number): void {
    if (this.firstSeq === undefined) {
      this.firstSeq = seq;
      this.lastSeq = seq;
      this.extSeq = seq;
      return;
    }
    const step = ((seq - this.lastSeq) << 16) >> 16;
    if (step > 0) {
      this.extSeq += step;
      this.lastSeq = seq;
    }
  }
}
