/** String values under string keys, each optionally expiring; the seam behind bans, sessions and settings. */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Values of `keys` in the same order; missing or expired keys give undefined. */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  /** Stores `value`; with `ttlMs` the key disappears after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Removes the key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Stores `value` only if the key's current value is `expected` (undefined: only if the key is
   * absent or expired), atomically across nodes; true when it stored. `ttlMs` as in `set`. The one
   * primitive for read-modify-write records (sessions): read, change, compare-and-set, retry on false.
   */
  compareAndSet(key: string, expected: string | undefined, value: string, ttlMs?: number): Promise<boolean>;
  /** Keys that start with `prefix` (for small sets such as a room's moderators, not for scans of everything). */
  keys(prefix: string): Promise<string[]>;
}
