/** A signed-in session: one refresh-token family, rotated on every refresh. */
export interface Session {
  id: string;
  userId: string;
  username: string;
  role: string;
  createdAt: number;
  lastUsedAt: number;
  /** Epoch ms after which the session (and its refresh token) is dead. */
  expiresAt: number;
  /** The jti of the only refresh token of this family that may still be used. */
  currentRefreshJti: string;
  revoked: boolean;
  ip?: string;
  userAgent?: string;
}

/** The answer to a refresh attempt: rotated, reuse of an old token, or no live session. */
export type RotateResult = 'rotated' | 'reused' | 'missing';

/**
 * Where sessions live. Async so a Redis implementation fits the same seam (cluster mode); `rotate`
 * is a compare-and-set so two nodes cannot both accept the same refresh token.
 */
export interface SessionStore {
  create(session: Session): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  listForUser(userId: string): Promise<Session[]>;
  /** Moves the family to `nextJti` if `presentedJti` is its current token. */
  rotate(id: string, presentedJti: string, nextJti: string, now: number): Promise<RotateResult>;
  revoke(id: string): Promise<boolean>;
  /** Revokes every session of a user; returns how many. */
  revokeAllForUser(userId: string): Promise<number>;
}

/** Sessions in this process's memory; expired and revoked ones are pruned as they are met. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session>();

  async create(session: Session): Promise<void> {
    this.prune(Date.now());
    this.sessions.set(session.id, { ...session });
  }

  async get(id: string): Promise<Session | undefined> {
    const s = this.sessions.get(id);
    return s === undefined ? undefined : { ...s };
  }

  async listForUser(userId: string): Promise<Session[]> {
    const now = Date.now();
    return [...this.sessions.values()].filter((s) => s.userId === userId && !s.revoked && s.expiresAt > now).map((s) => ({ ...s }));
  }

  async rotate(id: string, presentedJti: string, nextJti: string, now: number): Promise<RotateResult> {
    const s = this.sessions.get(id);
    if (s === undefined || s.revoked || s.expiresAt <= now) return 'missing';
    if (s.currentRefreshJti !== presentedJti) return 'reused';
    s.currentRefreshJti = nextJti;
    s.lastUsedAt = now;
    return 'rotated';
  }

  async revoke(id: string): Promise<boolean> {
    const s = this.sessions.get(id);
    if (s === undefined || s.revoked) return false;
    s.revoked = true;
    return true;
  }

  async revokeAllForUser(userId: string): Promise<number> {
    let n = 0;
    for (const s of this.sessions.values()) {
      if (s.userId === userId && !s.revoked) {
        s.revoked = true;
        n++;
      }
    }
    return n;
  }

  private prune(now: number): void {
    // A revoked session is kept until it would have expired, so reuse of its tokens is still recognised.
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}
