const TWO_POW_32 = 4294967296;
const HALF = TWO_POW_32 / 2;

/** Extends RTMP's 32-bit message timestamps to 64 bits across the wrap after ~49.7 days. */
export class TimestampUnwrapper {
  private last = -1;
  private wraps = 0;

  unwrap(timestamp32: number): number {
    if (this.last >= 0) {
      if (timestamp32 < this.last - HALF) this.wraps++;
      // A late frame from just before the wrap must not count as a wrap backwards.
      else if (timestamp32 > this.last + HALF && this.wraps > 0) return timestamp32 + (this.wraps - 1) * TWO_POW_32;
    }
    this.last = timestamp32;
    return timestamp32 + this.wraps * TWO_POW_32;
  }
}
