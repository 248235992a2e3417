import { SequenceUnwrapper } from './sequence.js';

/**
 * Puts RTP packets back in sequence order before depacketizing: a packet that arrives early waits
 * for the missing ones (reordered, or resent after a NACK) at most `maxWaitMs`, then the gap is
 * given up and the depacketizer sees it as loss. In-order packets pass straight through.
 */
export class RtpReorderBuffer<T extends { sequenceNumber: number }> {
  private readonly unwrapper = new SequenceUnwrapper();
  private readonly waiting = new Map<number, { packet: T; arrivedMs: number }>();
  private expected: number | undefined;

  constructor(
    private readonly maxWaitMs: number,
    private readonly maxPackets = 512,
  ) {}

  /** Takes a packet that arrived at `nowMs`; returns the packets now ready, in order. */
  push(packet: T, nowMs: number): T[] {
    const seq = this.unwrapper.unwrap(packet.sequenceNumber);
    if (this.expected === undefined) this.expected = seq;
    // already released, or a gap we gave up on: too late to help
    if (seq < this.expected || this.waiting.has(seq)) return [];
    this.waiting.set(seq, { packet, arrivedMs: nowMs });
    return this.release(nowMs);
  }

  private release(nowMs: number): T[] {
    const out: T[] = [];
    for (;;) {
      const next = this.waiting.get(this.expected as number);
      if (next !== undefined) {
        this.waiting.delete(this.expected as number);
        out.push(next.packet);
        (this.expected as number)++;
        continue;
      }
      if (this.waiting.size === 0) return out;
      let oldest = Infinity;
      let lowest = Infinity;
      for (const [s, w] of this.waiting) {
        oldest = Math.min(oldest, w.arrivedMs);
        lowest = Math.min(lowest, s);
      }
      if (nowMs - oldest < this.maxWaitMs && this.waiting.size <= this.maxPackets) return out;
      // waited long enough: skip the hole
      this.expected = lowest;
    }
  }
}
