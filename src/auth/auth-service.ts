import { randomUUID } from 'node:crypto';
import type { AuditSink } from '../security/index.js';
import { InvalidCredentialsError, InvalidTokenError, RefreshTokenReusedError, ThrottledError } from './errors.js';
import { isRole } from './permissions.js';
import type { Principal } from './principal.js';
import type { Session, SessionStore } from './session-store.js';
import type { Throttle } from './throttle.js';
import type { TokenService } from './token-service.js';
import type { VerifiedAccount, VerifyCredentials } from './user-directory.js';

/** What login and refresh hand back. */
export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  refreshToken: string;
  sessionId: string;
}

export interface AuthServiceOptions {
  tokens: TokenService;
  sessions: SessionStore;
  verifyCredentials: VerifyCredentials;
  throttle: Throttle;
  audit: AuditSink;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

/** Where a request came from, for throttling, sessions and the audit log. */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

/** Sign-in, refresh with rotation and reuse detection, sign-out, and bearer-token authentication. */
export class AuthService {
  constructor(private readonly o: AuthServiceOptions) {}

  /** Checks credentials (throttled per account and per IP) and opens a session. */
  async login(username: string, password: string, client: ClientInfo): Promise<TokenPair & { account: VerifiedAccount }> {
    const keys = [`account:${username.toLowerCase()}`, `ip:${client.ip}`];
    const wait = this.o.throttle.retryAfterSeconds(keys);
    if (wait > 0) {
      this.o.audit.append({ type: 'auth.login.throttled', actor: username, ip: client.ip, data: { retry_after_seconds: wait } });
      throw new ThrottledError(wait);
    }
    const account = await this.o.verifyCredentials(username, password);
    if (account === undefined) {
      this.o.throttle.fail(keys);
      this.o.audit.append({ type: 'auth.login.failed', actor: username, ip: client.ip });
      throw new InvalidCredentialsError();
    }
    this.o.throttle.clear(keys[0] as string);
    const now = Date.now();
    const sessionId = `ses_${randomUUID()}`;
    const refreshJti = randomUUID();
    const session: Session = {
      id: sessionId,
      userId: account.userId,
      username: account.username,
      role: account.role,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.o.refreshTtlSeconds * 1000,
      currentRefreshJti: refreshJti,
      revoked: false,
      ip: client.ip,
      ...(client.userAgent !== undefined ? { userAgent: client.userAgent.slice(0, 200) } : {}),
    };
    await this.o.sessions.create(session);
    this.o.audit.append({ type: 'auth.login', actor: account.userId, ip: client.ip, data: { session_id: sessionId, role: account.role } });
    return { ...(await this.pair(session, refreshJti)), account };
  }

  /**
   * Trades a refresh token for a new pair. Each refresh token works once: presenting an old one
   * means it leaked, so the whole family (session) is revoked and the reuse audited.
   */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    const claims = await this.o.tokens.verify('refresh', refreshToken);
    const sid = claims.sid;
    if (sid === undefined) throw new InvalidTokenError('refresh token names no session');
    const nextJti = randomUUID();
    const result = await this.o.sessions.rotate(sid, claims.jti, nextJti, Date.now());
    if (result === 'missing') throw new InvalidTokenError('session ended; sign in again');
    if (result === 'reused') {
      await this.o.sessions.revoke(sid);
      this.o.audit.append({ type: 'auth.refresh.reused', actor: claims.sub, ip: client.ip, data: { session_id: sid } });
      throw new RefreshTokenReusedError(sid);
    }
    const session = await this.o.sessions.get(sid);
    if (session === undefined) throw new InvalidTokenError('session ended; sign in again');
    return this.pair(session, nextJti);
  }

  /** Ends one session (its refresh and access tokens stop working). */
  async logout(principal: Principal, ip: string): Promise<void> {
    if (principal.sessionId === undefined) return;
    await this.o.sessions.revoke(principal.sessionId);
    this.o.audit.append({ type: 'auth.logout', actor: principal.userId, ip, data: { session_id: principal.sessionId } });
  }

  /** Ends every session of the user. */
  async logoutAll(userId: string, actor: string | undefined, ip: string): Promise<number> {
    const n = await this.o.sessions.revokeAllForUser(userId);
    this.o.audit.append({ type: 'auth.logout_all', actor, target: userId, ip, data: { sessions: n } });
    return n;
  }

  /** The principal behind a bearer access token; its session must still be live. */
  async authenticate(accessToken: string): Promise<Principal> {
    const claims = await this.o.tokens.verify('access', accessToken);
    if (claims.sid === undefined) throw new InvalidTokenError('access token names no session');
    const session = await this.o.sessions.get(claims.sid);
    if (session === undefined || session.revoked || session.expiresAt <= Date.now()) throw new InvalidTokenError('session ended; sign in again');
    const role = isRole(session.role) ? session.role : 'viewer';
    return { kind: 'user', role, userId: claims.sub, username: session.username, sessionId: session.id, grants: claims.grants ?? [] };
  }

  /**
   * The principal behind a room token (`POST /api/v1/rooms/:id/token`): a call participant an
   * app vouches for, allowed exactly what its grants say in that one room and nothing else.
   */
  async authenticateRoomToken(token: string): Promise<Principal> {
    const claims = await this.o.tokens.verify('room', token);
    return { kind: 'user', role: 'anonymous', userId: claims.sub, ...(claims.username !== undefined ? { username: claims.username } : {}), grants: (claims.grants ?? []).filter((g) => g.roomId !== undefined) };
  }

  private async pair(session: Session, refreshJti: string): Promise<TokenPair> {
    const access = await this.o.tokens.issue('access', { sub: session.userId, sid: session.id, role: session.role, username: session.username });
    const refreshTtl = Math.max(1, Math.floor((session.expiresAt - Date.now()) / 1000));
    const refresh = await this.o.tokens.issue('refresh', { sub: session.userId, sid: session.id }, { jti: refreshJti, ttlSeconds: refreshTtl });
    return { tokenType: 'Bearer', accessToken: access.token, expiresIn: this.o.accessTtlSeconds, refreshToken: refresh.token, sessionId: session.id };
  }
}
