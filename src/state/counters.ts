/** Integer counters shared by every node (viewer totals, quotas). */
export interface Counters {
  /** Adds `by` (may be negative) and returns the new value; `ttlMs` (re)arms expiry of the counter. */
  increment(key: string, by?: number, ttlMs?: number): Promise<number>;
  /** The current value, 0 when absent. */
  value(key: string): Promise<number>;
  reset(key: string): Promise<void>;
}
