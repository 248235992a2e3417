/** How many failures are tolerated per key within a window, and how many keys are remembered. */
export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
  /** Memory bound: the oldest keys are forgotten first. */
  maxKeys: number;
}

/** What sign-in and key checks need from a throttle. */
export interface Throttle {
  /** Seconds until every key in `keys` may try again; 0 when none is blocked. */
  retryAfterSeconds(keys: readonly string[]): number;
  fail(keys: readonly string[]): void;
  clear(key: string): void;
}

interface Bucket {
  failures: number;
  windowStart: number;
}

/**
 * Counts failures per key (an account, an IP) in fixed windows; once a key reaches `maxFailures`
 * it is blocked until its window ends. Memory stays bounded by `maxKeys`.
 */
export class FailureThrottle implements Throttle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: ThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until every key in `keys` may try again; 0 when none is blocked. */
  retryAfterSeconds(keys: readonly string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const b = this.buckets.get(key);
      if (b === undefined) continue;
      const end = b.windowStart + this.options.windowMs;
      if (end <= now) {
        this.buckets.delete(key);
        continue;
      }
      if (b.failures >= this.options.maxFailures) wait = Math.max(wait, Math.ceil((end - now) / 1000));
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    const now = this.now();
    for (const key of keys) {
      let b = this.buckets.get(key);
      if (b === undefined || b.windowStart + this.options.windowMs <= now) {
        b = { failures: 0, windowStart: now };
        this.buckets.delete(key);
        this.buckets.set(key, b);
      }
      b.failures++;
    }
    while (this.buckets.size > this.options.maxKeys) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }

  /** A success clears the key (the account), not the others (an IP may still be guessing). */
  clear(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Routes `ip:` keys to one throttle and every other key to another, so each has its own limit. */
export class SplitThrottle implements Throttle {
  constructor(
    private readonly accounts: Throttle,
    private readonly ips: Throttle,
  ) {}

  retryAfterSeconds(keys: readonly string[]): number {
    return Math.max(0, ...keys.map((k) => this.pick(k).retryAfterSeconds([k])));
  }

  fail(keys: readonly string[]): void {
    for (const k of keys) this.pick(k).fail([k]);
  }

  clear(key: string): void {
    this.pick(key).clear(key);
  }

  private pick(key: string): Throttle {
    return key.startsWith('ip:') ? this.ips : this.accounts;
  }
}
