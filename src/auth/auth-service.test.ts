import { describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../security/index.js';
import { AuthService } from './auth-service.js';
import { InvalidCredentialsError, InvalidTokenError, RefreshTokenReusedError, ThrottledError } from './errors.js';
import { MemorySessionStore } from './session-store.js';
import { FailureThrottle, SplitThrottle } from './throttle.js';
import { TokenService } from './token-service.js';
import { UserDirectory } from './user-directory.js';

const CLIENT = { ip: '10.0.0.1' };

async function setup() {
  const tokens = await TokenService.create({
    keys: [{ kid: 'hs', alg: 'HS256', secret: 'a-test-secret-that-is-long-enough-for-hs256!!' }],
    issuer: 'zenlive-test',
    audience: 'zenlive-api',
    ttlSeconds: { access: 900, refresh: 3600, playback: 300, publish: 300, room: 3600 },
  });
  const users = UserDirectory.memory();
  await users.create({ username: 'alice', password: 'correct horse battery', role: 'publisher' });
  const audit = new MemoryAuditSink();
  const sessions = new MemorySessionStore();
  const throttle = new SplitThrottle(new FailureThrottle({ maxFailures: 3, windowMs: 60_000, maxKeys: 100 }), new FailureThrottle({ maxFailures: 10, windowMs: 60_000, maxKeys: 100 }));
  const auth = new AuthService({ tokens, sessions, verifyCredentials: users.verifyCredentials, throttle, audit, accessTtlSeconds: 900, refreshTtlSeconds: 3600 });
  return { auth, audit, sessions, users };
}

describe('AuthService', () => {
  it('login gives an access token that authenticates as the user, with its role and session', async () => {
    const { auth, audit } = await setup();
    const pair = await auth.login('alice', 'correct horse battery', CLIENT);
    const p = await auth.authenticate(pair.accessToken);
    expect(p).toMatchObject({ kind: 'user', role: 'publisher', username: 'alice', sessionId: pair.sessionId });
    expect(audit.ofType('auth.login')).toHaveLength(1);
  });

  it('a wrong password and an unknown user both fail the same way and are audited', async () => {
    const { auth, audit } = await setup();
    await expect(auth.login('alice', 'wrong', CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(auth.login('mallory', 'whatever', CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(audit.ofType('auth.login.failed').map((r) => r.actor)).toEqual(['alice', 'mallory']);
  });

  it('refresh rotates: the new refresh token works, the used one is refused and revokes the whole family', async () => {
    const { auth, audit } = await setup();
    const first = await auth.login('alice', 'correct horse battery', CLIENT);
    const second = await auth.refresh(first.refreshToken, CLIENT);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.sessionId).toBe(first.sessionId);
    const third = await auth.refresh(second.refreshToken, CLIENT);
    // Replaying an old token (stolen?) revokes the family: even the newest tokens stop working.
    await expect(auth.refresh(first.refreshToken, CLIENT)).rejects.toBeInstanceOf(RefreshTokenReusedError);
    await expect(auth.refresh(third.refreshToken, CLIENT)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(auth.authenticate(third.accessToken)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(audit.ofType('auth.refresh.reused')).toHaveLength(1);
    expect(audit.ofType('auth.refresh.reused')[0]?.data).toEqual({ session_id: first.sessionId });
  });

  it('logout ends one session, logout-all ends every session of the user', async () => {
    const { auth } = await setup();
    const a = await auth.login('alice', 'correct horse battery', CLIENT);
    const b = await auth.login('alice', 'correct horse battery', CLIENT);
    const c = await auth.login('alice', 'correct horse battery', CLIENT);
    await auth.logout(await auth.authenticate(a.accessToken), CLIENT.ip);
    await expect(auth.authenticate(a.accessToken)).rejects.toBeInstanceOf(InvalidTokenError);
    const pb = await auth.authenticate(b.accessToken);
    expect(await auth.logoutAll(pb.userId as string, pb.userId, CLIENT.ip)).toBe(2);
    await expect(auth.authenticate(c.accessToken)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(auth.refresh(b.refreshToken, CLIENT)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('failed logins are throttled per account: the right password is refused too until the window ends', async () => {
    const { auth, audit } = await setup();
    for (let i = 0; i < 3; i++) await expect(auth.login('alice', 'nope', CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);
    const err = await auth.login('alice', 'correct horse battery', { ip: '10.0.0.2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThrottledError);
    expect((err as ThrottledError).retryAfterSeconds).toBeGreaterThan(0);
    expect((err as ThrottledError).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(audit.ofType('auth.login.throttled')).toHaveLength(1);
  });

  it('failed logins are throttled per IP across accounts', async () => {
    const { auth } = await setup();
    for (let i = 0; i < 10; i++) await expect(auth.login(`user${i}`, 'nope', CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(auth.login('alice', 'correct horse battery', CLIENT)).rejects.toBeInstanceOf(ThrottledError);
    // Another address is not affected.
    await expect(auth.login('alice', 'correct horse battery', { ip: '10.0.0.9' })).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('an access token is not accepted as a refresh token, nor the other way round', async () => {
    const { auth } = await setup();
    const pair = await auth.login('alice', 'correct horse battery', CLIENT);
    await expect(auth.refresh(pair.accessToken, CLIENT)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(auth.authenticate(pair.refreshToken)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});
