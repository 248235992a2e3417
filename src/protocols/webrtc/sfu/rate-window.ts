const BUCKETS = 10;

/**
 * Bytes per second over a sliding window, kept in ten fixed buckets so adding a packet never
 * allocates. The rate divides by the time the window actually covers (shorter at the start).
 */
export class RateWindow {
  private readonly bucketMs: number;
  private readonly bytes = new Float64Array(BUCKETS);
  // number of the bucket (time / bucketMs) each slot holds, so stale slots are recognised
  private readonly slotOf = new Float64Array(BUCKETS).fill(-1);
  private firstMs = NaN;

  constructor(readonly windowMs = 1000) {
    if (!(windowMs > 0)) throw new RangeError(`rate window ${windowMs} ms must be positive`);
    this.bucketMs = windowMs / BUCKETS;
  }

  add(bytes: number, nowMs: number): void {
    if (Number.isNaN(this.firstMs)) this.firstMs = nowMs;
    const n = Math.floor(nowMs / this.bucketMs);
    const k = ((n % BUCKETS) + BUCKETS) % BUCKETS;
    if (this.slotOf[k] !== n) {
      this.slotOf[k] = n;
      this.bytes[k] = 0;
    }
    this.bytes[k] = (this.bytes[k] as number) + bytes;
  }

  /** Bits per second over the window ending at `nowMs`. */
  bitsPerSecond(nowMs: number): number {
    if (Number.isNaN(this.firstMs)) return 0;
    const n = Math.floor(nowMs / this.bucketMs);
    let sum = 0;
    for (let k = 0; k < BUCKETS; k++) {
      const slot = this.slotOf[k] as number;
      // the current bucket and the nine before it
      if (slot <= n && slot > n - BUCKETS) sum += this.bytes[k] as number;
    }
    const windowStart = (n - BUCKETS + 1) * this.bucketMs;
    const covered = nowMs - Math.max(windowStart, this.firstMs);
    // at least one bucket, so a first packet does not read as an infinite rate
    return (sum * 8 * 1000) / Math.max(covered, this.bucketMs);
  }
}
