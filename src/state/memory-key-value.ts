import type { KeyValueStore } from './key-value.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/** Key-value in this process; expired keys are dropped when read and by a periodic sweep. */
export class MemoryKeyValue implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    // Keys nobody reads again (old timeouts) must not accumulate forever.
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    return keys.map((k) => this.live(k)?.value);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: ttlMs !== undefined && ttlMs > 0 ? this.now() + ttlMs : Infinity });
  }

  async compareAndSet(key: string, expected: string | undefined, value: string, ttlMs?: number): Promise<boolean> {
    // No await between the check and the write: atomic against every other caller in this process.
    if (this.live(key)?.value !== expected) return false;
    this.entries.set(key, { value, expiresAt: ttlMs !== undefined && ttlMs > 0 ? this.now() + ttlMs : Infinity });
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined;
    this.entries.delete(key);
    return existed;
  }

  async keys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for (const key of this.entries.keys()) if (key.startsWith(prefix) && this.live(key) !== undefined) out.push(key);
    return out;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= t) this.entries.delete(k);
  }
}
