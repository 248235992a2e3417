/**
 * A token bucket of `capacity` tokens refilled at `perSecond`, kept as one "theoretical arrival
 * time" (GCRA) instead of a fractional token count, so limits are exact with integer clocks
 * and floating error never admits or refuses one message too many.
 */
export class TokenBucket {
  private readonly intervalMs: number;
  private tat: number;

  constructor(
    perSecond: number,
    private readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.intervalMs = 1000 / perSecond;
    this.tat = now();
  }

  /** 0 when a token was taken; otherwise the ms to wait before one is available. */
  take(): number {
    const t = this.now();
    const tat = Math.max(this.tat, t);
    const wait = tat - t - (this.capacity - 1) * this.intervalMs;
    if (wait > 0) return Math.ceil(wait);
    this.tat = tat + this.intervalMs;
    return 0;
  }

  /** True when the bucket is full again (the limiter can forget it). */
  idle(): boolean {
    return this.tat <= this.now();
  }
}
