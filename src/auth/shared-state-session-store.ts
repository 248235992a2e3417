import { StateContentionError, type KeyValueStore } from '../state/index.js';
import type { RotateResult, Session, SessionStore } from './session-store.js';

/** How the store names its keys and how hard it tries under contention. */
export interface SharedStateSessionStoreOptions {
  /** Prepended to every key, so the store can share a back end with other areas. Default `auth:`. */
  keyPrefix?: string;
  /** Compare-and-set attempts per change before StateContentionError. Default 32. */
  maxAttempts?: number;
}

/** A user's index: session id → that session's expiresAt, so dead ids are dropped without reading them. */
type UserIndex = Record<string, number>;

/**
 * Sessions in the shared key-value store, so every node of a cluster sees the same sessions and
 * refresh-token families: a logout, a logout-everywhere or a reuse revocation on one node holds
 * on all. Each session is one JSON record changed only by compare-and-set (read, change, CAS,
 * retry when another node changed it first), so two nodes rotating the same refresh token cannot
 * both win: the loser re-reads, finds the token already moved on and answers `reused`.
 *
 * A record lives until its session expires, revoked or not, so a stolen old token is still
 * recognised as reuse. A per-user index record (also CAS-updated) lists the user's session ids
 * for listing and logout-everywhere without scanning the key space.
 */
export class SharedStateSessionStore implements SessionStore {
  private readonly prefix: string;
  private readonly maxAttempts: number;

  constructor(
    private readonly kv: KeyValueStore,
    options: SharedStateSessionStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'auth:';
    this.maxAttempts = options.maxAttempts ?? 32;
  }

  async create(session: Session): Promise<void> {
    const now = Date.now();
    // Index first: an id in the index without a record is harmless (dropped at its expiry), while a
    // record missing from the index would escape logout-everywhere.
    await this.change(this.userKey(session.userId), (raw) => {
      const index: UserIndex = {};
      for (const [id, expiresAt] of Object.entries(parseIndex(raw))) if (expiresAt > now) index[id] = expiresAt;
      index[session.id] = session.expiresAt;
      return { value: JSON.stringify(index), ttlMs: ttlUntil(Math.max(...Object.values(index)), now) };
    });
    await this.kv.set(this.sessionKey(session.id), JSON.stringify(session), ttlUntil(session.expiresAt, now));
  }

  async get(id: string): Promise<Session | undefined> {
    const raw = await this.kv.get(this.sessionKey(id));
    return raw === undefined ? undefined : parseSession(raw);
  }

  async listForUser(userId: string): Promise<Session[]> {
    const ids = Object.keys(parseIndex(await this.kv.get(this.userKey(userId))));
    if (ids.length === 0) return [];
    const raws = await this.kv.getMany(ids.map((id) => this.sessionKey(id)));
    const now = Date.now();
    const out: Session[] = [];
    for (const raw of raws) {
      if (raw === undefined) continue;
      const s = parseSession(raw);
      if (!s.revoked && s.expiresAt > now) out.push(s);
    }
    return out;
  }

  async rotate(id: string, presentedJti: string, nextJti: string, now: number): Promise<RotateResult> {
    let result: RotateResult = 'missing';
    await this.change(this.sessionKey(id), (raw) => {
      const s = raw === undefined ? undefined : parseSession(raw);
      if (s === undefined || s.revoked || s.expiresAt <= now) {
        result = 'missing';
        return undefined;
      }
      if (s.currentRefreshJti !== presentedJti) {
        result = 'reused';
        return undefined;
      }
      result = 'rotated';
      return { value: JSON.stringify({ ...s, currentRefreshJti: nextJti, lastUsedAt: now }), ttlMs: ttlUntil(s.expiresAt, Date.now()) };
    });
    return result;
  }

  async revoke(id: string): Promise<boolean> {
    let revoked = false;
    await this.change(this.sessionKey(id), (raw) => {
      const s = raw === undefined ? undefined : parseSession(raw);
      revoked = s !== undefined && !s.revoked;
      if (s === undefined || s.revoked) return undefined;
      return { value: JSON.stringify({ ...s, revoked: true }), ttlMs: ttlUntil(s.expiresAt, Date.now()) };
    });
    return revoked;
  }

  async revokeAllForUser(userId: string): Promise<number> {
    const ids = Object.keys(parseIndex(await this.kv.get(this.userKey(userId))));
    const done = await Promise.all(ids.map((id) => this.revoke(id)));
    return done.filter(Boolean).length;
  }

  /**
   * Read-modify-write of one key by compare-and-set. `next` sees the current value and returns the
   * new one, or undefined to leave it; it runs again whenever another writer got in between.
   */
  private async change(key: string, next: (raw: string | undefined) => { value: string; ttlMs: number } | undefined): Promise<void> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const raw = await this.kv.get(key);
      const update = next(raw);
      if (update === undefined) return;
      if (await this.kv.compareAndSet(key, raw, update.value, update.ttlMs)) return;
    }
    throw new StateContentionError(key, this.maxAttempts);
  }

  private sessionKey(id: string): string {
    return `${this.prefix}session:${id}`;
  }

  private userKey(userId: string): string {
    return `${this.prefix}user-sessions:${userId}`;
  }
}

// The key-value store drops a key at its TTL; a session already past its expiry gets the shortest
// TTL there is, since ttlMs 0 would mean "never expires".
function ttlUntil(expiresAt: number, now: number): number {
  return Math.max(1, expiresAt - now);
}

// Records are written only by this class, so a parse is enough; JSON.parse gives a fresh copy.
function parseSession(raw: string): Session {
  return JSON.parse(raw) as Session;
}

function parseIndex(raw: string | undefined): UserIndex {
  return raw === undefined ? {} : (JSON.parse(raw) as UserIndex);
}
