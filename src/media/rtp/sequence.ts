/** Signed distance from sequence number `a` to `b` on the 16-bit RTP circle (RFC 3550 Appendix A.1). */
export function sequenceDelta(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/** Extends 16-bit sequence numbers to a monotonic counter across wraps; reordered packets map behind. */
export class SequenceUnwrapper {
  private last: number | undefined;

  unwrap(sequenceNumber: number): number {
    if (this.last === undefined) {
      this.last = sequenceNumber;
      return sequenceNumber;
    }
    const extended = this.last + sequenceDelta(this.last % 0x10000, sequenceNumber);
    if (extended > this.last) this.last = extended;
    return extended;
  }
}
