import type { Counters } from './counters.js';

/** Counters in this process, with the same expiry rules as the Redis ones. */
export class MemoryCounters implements Counters {
  private readonly values = new Map<string, { n: number; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    const n = this.current(key) + by;
    // Like INCRBY + PEXPIRE: a TTL given re-arms expiry, otherwise the existing expiry stays.
    const expiresAt = ttlMs !== undefined && ttlMs > 0 ? this.now() + ttlMs : (this.values.get(key)?.expiresAt ?? Infinity);
    this.values.set(key, { n, expiresAt });
    return n;
  }

  async value(key: string): Promise<number> {
    return this.current(key);
  }

  async reset(key: string): Promise<void> {
    this.values.delete(key);
  }

  close(): void {
    this.values.clear();
  }

  private current(key: string): number {
    const e = this.values.get(key);
    if (e === undefined) return 0;
    if (e.expiresAt <= this.now()) {
      this.values.delete(key);
      return 0;
    }
    return e.n;
  }
}
