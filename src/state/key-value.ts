/** String values under string keys, each optionally expiring; the seam behind bans, sessions and settings. */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Values of `keys` in the same order; missing or expired keys give undefined. */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  /** Stores `value`; with `ttlMs` the key disappears after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Removes the key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Keys that start with `prefix` (for small sets such as a room's moderators, not for scans of everything). */
  keys(prefix: string): Promise<string[]>;
}
