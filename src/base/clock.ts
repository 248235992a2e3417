/** Monotonic milliseconds, for durations and timeouts (never goes back when the wall clock does). */
export function monotonicMs(): number {
  return performance.now();
}

/** Wall-clock milliseconds since the epoch, for timestamps users see. */
export function wallClockMs(): number {
  return Date.now();
}
