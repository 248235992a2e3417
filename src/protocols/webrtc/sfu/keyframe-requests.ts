/** Timer functions a KeyframeRequestLimiter uses; tests pass a hand-driven clock. */
export interface LimiterClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: LimiterClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // a pending trailing request must not keep the process alive
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of a KeyframeRequestLimiter. */
export interface KeyframeRequestLimiterOptions<K> {
  /** Sends the PLI/FIR for one publisher track. */
  send: (key: K) => void;
  /** At most one request per key per this many ms (default 300). */
  intervalMs?: number;
  clock?: LimiterClock;
}

interface KeyState {
  lastSent: number;
  timer: unknown;
}

/**
 * Coalesces keyframe requests (PLI/FIR) toward publishers: however many subscribers ask, each
 * publisher track (`key`) gets at most one request per interval, and a request made inside the
 * interval is not lost but sent once when the interval ends (trailing).
 */
export class KeyframeRequestLimiter<K = string> {
  private readonly keys = new Map<K, KeyState>();
  private readonly intervalMs: number;
  private readonly clock: LimiterClock;
  private closed = false;

  private readonly send: (key: K) => void;

  /** Takes the options, or just the send function for the defaults. */
  constructor(options: KeyframeRequestLimiterOptions<K> | ((key: K) => void)) {
    const o = typeof options === 'function' ? { send: options } : options;
    this.send = o.send;
    this.intervalMs = o.intervalMs ?? 300;
    this.clock = o.clock ?? realClock;
  }

  /**
   * Asks for a keyframe on `key`: sent now, or once at the end of the running interval. `nowMs`
   * (default: the clock's now) must come from the same clock, `performance.now()` by default.
   */
  request(key: K, nowMs: number = this.clock.now()): void {
    if (this.closed) return;
    const now = nowMs;
    const state = this.keys.get(key);
    if (state === undefined) {
      this.keys.set(key, { lastSent: now, timer: undefined });
      this.send(key);
      return;
    }
    if (state.timer !== undefined) return;
    const wait = state.lastSent + this.intervalMs - now;
    if (wait <= 0) {
      state.lastSent = now;
      this.send(key);
      return;
    }
    state.timer = this.clock.setTimeout(() => {
      state.timer = undefined;
      if (this.closed || this.keys.get(key) !== state) return;
      state.lastSent = this.clock.now();
      this.send(key);
    }, wait);
  }

  /** Drops what is known about `key` (its track ended), cancelling a pending trailing request. */
  forget(key: K): void {
    const state = this.keys.get(key);
    if (state?.timer !== undefined) this.clock.clearTimeout(state.timer);
    this.keys.delete(key);
  }

  /** Cancels every pending request; later requests are ignored. */
  close(): void {
    this.closed = true;
    for (const state of this.keys.values()) if (state.timer !== undefined) this.clock.clearTimeout(state.timer);
    this.keys.clear();
  }
}
