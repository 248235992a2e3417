import { sequenceDelta } from '../../../media/index.js';

/** RFC 3550 A.1: a jump further ahead than this is not a gap but a restarted or foreign stream. */
const MAX_DROPOUT = 3000;
/** RFC 3550 A.1: a packet further behind than this (past the switch point) hints at a restart. */
const MAX_MISORDER = 100;
const NO_SOURCE = -1;

/** Signed distance from RTP timestamp `a` to `b` on the 32-bit circle. */
export function timestampDelta(a: number, b: number): number {
  return (b - a) | 0;
}

/**
 * Maps the packets of whichever source a subscriber track currently follows (a simulcast layer,
 * or another publisher) onto one continuous outgoing RTP stream, so the subscriber's decoder sees
 * a single stream across switches.
 *
 * - Output sequence numbers continue +1 across a switch; within one source a gap in the input
 *   stays a gap in the output (the receiver NACKs it) and late or duplicate packets map to the
 *   same number as their original would have.
 * - Output timestamps continue across a switch: the new source's first packet lands one frame
 *   interval after the last output timestamp, the interval estimated from the wall-clock time
 *   since the last output packet (at least 1 tick).
 * - Packets of any other source than the current one are dropped, including late packets of
 *   the previous source and late packets of the new source from before the switch point.
 * - A source whose sequence jumps far (it restarted) is re-based like a switch once a second
 *   consecutive packet confirms the jump (RFC 3550 A.1).
 *
 * Per packet nothing is allocated: `rewrite()` answers with a boolean and leaves the result in
 * `seq` / `timestamp`.
 */
export class RtpRewriter {
  /** Output sequence number of the packet `rewrite()` last accepted. */
  seq = 0;
  /** Output RTP timestamp of the packet `rewrite()` last accepted. */
  timestamp = 0;
  /** True when the packet `rewrite()` last accepted is the first of a new source (a switch point). */
  switched = false;

  private active = NO_SOURCE;
  private pending = NO_SOURCE;
  private hasOutput = false;
  private seqOffset = 0;
  private tsOffset = 0;
  // highest input sequence of the current source, and how many sequence numbers lie between the
  // switch point and it (capped): packets behind the switch point would reuse output numbers
  private highestIn = 0;
  private span = 0;
  // RFC 3550 A.1 bad_seq: the sequence number that would confirm a restarted source
  private badSeq = -1;
  private highestOutSeq = 0;
  private highestOutTs = 0;
  private lastOutMs = 0;

  constructor(
    readonly clockRate: number,
    private readonly options: { initialSequence?: number; initialTimestamp?: number } = {},
  ) {
    if (!(clockRate > 0)) throw new RangeError(`RTP clock rate ${clockRate} must be positive`);
  }

  /** Highest output sequence number sent so far (undefined before the first packet). */
  get lastSequence(): number | undefined {
    return this.hasOutput ? this.highestOutSeq : undefined;
  }

  /** Newest output timestamp sent so far (undefined before the first packet). */
  get lastTimestamp(): number | undefined {
    return this.hasOutput ? this.highestOutTs : undefined;
  }

  /** The source being forwarded now (-1 before the first switch took effect). */
  get currentSource(): number {
    return this.active;
  }

  /**
   * Follows `sourceId` from its next packet on; until then the current source keeps flowing.
   * Without any call, the first source seen is followed (a track with one source needs none).
   * Naming the current source again re-bases it at its next packet (use after a pause), so call
   * this only where a frame starts, as a keyframe-gated switch does.
   */
  switchSource(sourceId: number): void {
    this.pending = sourceId;
  }

  /**
   * Maps one input packet; false means drop it. On true, `seq`, `timestamp` and `switched` hold
   * the values to send.
   */
  rewrite(sourceId: number, seq: number, timestamp: number, nowMs: number): boolean {
    if (sourceId === this.pending || (this.active === NO_SOURCE && this.pending === NO_SOURCE)) {
      this.startEpoch(sourceId, seq, timestamp, nowMs);
      this.switched = true;
      return this.emit(seq, timestamp, nowMs);
    }
    if (sourceId !== this.active || this.active === NO_SOURCE) return false;
    this.switched = false;
    const d = sequenceDelta(this.highestIn, seq);
    if (d > 0 && d <= MAX_DROPOUT) {
      this.highestIn = seq;
      this.span = Math.min(this.span + d, 0x7fff);
      this.badSeq = -1;
    } else if (d <= 0 && -d <= this.span + MAX_MISORDER) {
      // late or duplicate; from before the switch point it would reuse an output number
      if (-d > this.span) return false;
    } else {
      // far ahead or far behind: a restarted stream confirms itself with a second consecutive
      // packet (RFC 3550 A.1 bad_seq) and is then re-based like a switch
      if (seq !== this.badSeq) {
        this.badSeq = (seq + 1) & 0xffff;
        return false;
      }
      this.startEpoch(sourceId, seq, timestamp, nowMs);
      this.switched = true;
    }
    return this.emit(seq, timestamp, nowMs);
  }

  private startEpoch(sourceId: number, seq: number, timestamp: number, nowMs: number): void {
    let outSeq: number;
    let outTs: number;
    if (this.hasOutput) {
      outSeq = (this.highestOutSeq + 1) & 0xffff;
      const ticks = Math.max(1, Math.round(((nowMs - this.lastOutMs) * this.clockRate) / 1000));
      outTs = (this.highestOutTs + ticks) >>> 0;
    } else {
      outSeq = (this.options.initialSequence ?? seq) & 0xffff;
      outTs = (this.options.initialTimestamp ?? timestamp) >>> 0;
    }
    this.active = sourceId;
    this.pending = NO_SOURCE;
    this.seqOffset = (outSeq - seq) & 0xffff;
    this.tsOffset = (outTs - timestamp) >>> 0;
    this.highestIn = seq;
    this.span = 0;
    this.badSeq = -1;
  }

  private emit(seq: number, timestamp: number, nowMs: number): boolean {
    const outSeq = (seq + this.seqOffset) & 0xffff;
    const outTs = (timestamp + this.tsOffset) >>> 0;
    this.seq = outSeq;
    this.timestamp = outTs;
    if (!this.hasOutput) {
      this.hasOutput = true;
      this.highestOutSeq = outSeq;
      this.highestOutTs = outTs;
    } else {
      if (sequenceDelta(this.highestOutSeq, outSeq) > 0) this.highestOutSeq = outSeq;
      if (timestampDelta(this.highestOutTs, outTs) > 0) this.highestOutTs = outTs;
    }
    this.lastOutMs = nowMs;
    return true;
  }
}
