import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../base/index.js';
import { createMemoryState, createRedisState, type SharedState } from '../state/index.js';
import { startRedisServer, type RedisServerPeer } from '../state/testing/redis-server.js';
import { requireBinary } from '../../test/helpers/peers.js';
import { MemoryAuditSink } from '../security/index.js';
import { AuthService } from './auth-service.js';
import { InvalidTokenError, RefreshTokenReusedError } from './errors.js';
import type { Session } from './session-store.js';
import { FailureThrottle, SplitThrottle } from './throttle.js';
import { TokenService } from './token-service.js';
import { UserDirectory } from './user-directory.js';
import { runSessionStoreContract } from './session-store.test.js';
import { SharedStateSessionStore } from './shared-state-session-store.js';

function session(id: string, userId: string, over: Partial<Session> = {}): Session {
  const now = Date.now();
  return { id, userId, username: userId, role: 'viewer', createdAt: now, lastUsedAt: now, expiresAt: now + 60_000, currentRefreshJti: `${id}-j0`, revoked: false, ...over };
}

const memoryStates: SharedState[] = [];
afterAll(async () => {
  for (const s of memoryStates) await s.close();
});

runSessionStoreContract('shared state (memory)', () => {
  const state = createMemoryState();
  memoryStates.push(state);
  return new SharedStateSessionStore(state.kv);
});

describe('SharedStateSessionStore on redis-server', () => {
  let redis: RedisServerPeer;
  const states: SharedState[] = [];
  let run = 0;
  beforeAll(async () => {
    requireBinary('redis-server');
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const s of states) await s.close();
    await redis?.stop();
  });

  /** A node's connection; nodes of one cluster share `keyPrefix`, separate tests do not. */
  async function node(keyPrefix: string): Promise<SharedState> {
    const state = await createRedisState({ host: '127.0.0.1', port: redis.port, keyPrefix, logger: silentLogger() });
    states.push(state);
    return state;
  }

  runSessionStoreContract('shared state (redis)', async () => new SharedStateSessionStore((await node(`contract${run++}:`)).kv));

  async function twoNodes(): Promise<[SharedStateSessionStore, SharedStateSessionStore]> {
    const prefix = `cluster${run++}:`;
    return [new SharedStateSessionStore((await node(prefix)).kv), new SharedStateSessionStore((await node(prefix)).kv)];
  }

  it('a session created on one node is read, listed and rotated on the other', async () => {
    const [a, b] = await twoNodes();
    await a.create(session('s1', 'u1', { ip: '10.0.0.1' }));
    expect(await b.get('s1')).toMatchObject({ id: 's1', userId: 'u1', ip: '10.0.0.1', currentRefreshJti: 's1-j0' });
    expect((await b.listForUser('u1')).map((s) => s.id)).toEqual(['s1']);
    expect(await b.rotate('s1', 's1-j0', 's1-j1', Date.now())).toBe('rotated');
    expect((await a.get('s1'))?.currentRefreshJti).toBe('s1-j1');
    expect(await a.rotate('s1', 's1-j0', 's1-j2', Date.now())).toBe('reused');
  });

  it('a logout on one node ends the session on the other', async () => {
    const [a, b] = await twoNodes();
    await a.create(session('s1', 'u1'));
    expect(await b.revoke('s1')).toBe(true);
    expect(await a.revoke('s1')).toBe(false);
    expect((await a.get('s1'))?.revoked).toBe(true);
    expect(await a.rotate('s1', 's1-j0', 'x', Date.now())).toBe('missing');
    expect(await a.listForUser('u1')).toEqual([]);
  });

  it('logout-everywhere on one node ends the sessions made on both nodes, and only that user’s', async () => {
    const [a, b] = await twoNodes();
    await a.create(session('a1', 'alice'));
    await b.create(session('a2', 'alice'));
    await a.create(session('b1', 'bob'));
    expect((await b.listForUser('alice')).map((s) => s.id).sort()).toEqual(['a1', 'a2']);
    expect(await b.revokeAllForUser('alice')).toBe(2);
    expect(await a.listForUser('alice')).toEqual([]);
    expect(await a.rotate('a1', 'a1-j0', 'x', Date.now())).toBe('missing');
    expect(await a.rotate('a2', 'a2-j0', 'x', Date.now())).toBe('missing');
    expect((await a.listForUser('bob')).map((s) => s.id)).toEqual(['b1']);
  });

  it('logins racing on both nodes are all listed (the per-user index loses none)', async () => {
    const [a, b] = await twoNodes();
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 === 0 ? a : b).create(session(id, 'u1'))));
    expect((await a.listForUser('u1')).map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(await b.revokeAllForUser('u1')).toBe(20);
  });

  it('two nodes rotating the same refresh token at once: exactly one wins, the other sees reuse', async () => {
    const [a, b] = await twoNodes();
    for (let round = 0; round < 25; round++) {
      const id = `race${round}`;
      await a.create(session(id, 'u1'));
      const results = await Promise.all([a.rotate(id, `${id}-j0`, 'from-a', Date.now()), b.rotate(id, `${id}-j0`, 'from-b', Date.now())]);
      expect([...results].sort()).toEqual(['reused', 'rotated']);
      expect((await a.get(id))?.currentRefreshJti).toBe(results[0] === 'rotated' ? 'from-a' : 'from-b');
    }
  });

  it('a revoke racing a rotation on the other node is never lost', async () => {
    const [a, b] = await twoNodes();
    for (let round = 0; round < 25; round++) {
      const id = `rr${round}`;
      await a.create(session(id, 'u1'));
      const [rotated, revoked] = await Promise.all([a.rotate(id, `${id}-j0`, 'next', Date.now()), b.revoke(id)]);
      expect(revoked).toBe(true);
      expect(['rotated', 'missing']).toContain(rotated);
      expect((await a.get(id))?.revoked).toBe(true);
    }
  });

  /** The auth service of two nodes: same signing key and accounts, sessions in the shared store. */
  async function twoAuthNodes(): Promise<[AuthService, AuthService]> {
    const tokens = await TokenService.create({
      keys: [{ kid: 'hs', alg: 'HS256', secret: 'a-test-secret-that-is-long-enough-for-hs256!!' }],
      issuer: 'zenlive-test',
      audience: 'zenlive-api',
      ttlSeconds: { access: 900, refresh: 3600, playback: 300, publish: 300, room: 3600 },
    });
    const users = UserDirectory.memory();
    await users.create({ username: 'alice', password: 'correct horse battery', role: 'publisher' });
    const service = (sessions: SharedStateSessionStore): AuthService =>
      new AuthService({
        tokens,
        sessions,
        verifyCredentials: users.verifyCredentials,
        throttle: new SplitThrottle(new FailureThrottle({ maxFailures: 5, windowMs: 60_000, maxKeys: 100 }), new FailureThrottle({ maxFailures: 20, windowMs: 60_000, maxKeys: 100 })),
        audit: new MemoryAuditSink(),
        accessTtlSeconds: 900,
        refreshTtlSeconds: 3600,
      });
    const [a, b] = await twoNodes();
    return [service(a), service(b)];
  }

  it('through the auth service: logout-everywhere on one node ends access and refresh on the other', async () => {
    const [a, b] = await twoAuthNodes();
    const pair = await a.login('alice', 'correct horse battery', { ip: '10.0.0.1' });
    const other = await a.login('alice', 'correct horse battery', { ip: '10.0.0.2' });
    const p = await b.authenticate(pair.accessToken);
    expect(await b.logoutAll(p.userId ?? '', p.userId, '10.0.0.1')).toBe(2);
    await expect(a.authenticate(pair.accessToken)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(a.refresh(other.refreshToken, { ip: '10.0.0.2' })).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('through the auth service: one refresh token sent to both nodes at once works once and the reuse ends the family', async () => {
    const [a, b] = await twoAuthNodes();
    const pair = await a.login('alice', 'correct horse battery', { ip: '10.0.0.1' });
    const results = await Promise.allSettled([a.refresh(pair.refreshToken, { ip: '10.0.0.1' }), b.refresh(pair.refreshToken, { ip: '10.0.0.9' })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.status === 'rejected' ? lost[0].reason : undefined).toBeInstanceOf(RefreshTokenReusedError);
    // The winner's new tokens die with the family: the reuse revoked the session on every node.
    const winner = won[0]?.status === 'fulfilled' ? won[0].value : undefined;
    if (winner === undefined) throw new Error('no refresh succeeded');
    await expect(a.refresh(winner.refreshToken, { ip: '10.0.0.1' })).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(b.authenticate(winner.accessToken)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('a session record disappears from redis when the session expires', async () => {
    const [a, b] = await twoNodes();
    await a.create(session('short', 'u1', { expiresAt: Date.now() + 200 }));
    expect(await b.get('short')).toBeDefined();
    await new Promise((r) => setTimeout(r, 400));
    expect(await b.get('short')).toBeUndefined();
    expect(await b.listForUser('u1')).toEqual([]);
    expect(await b.rotate('short', 'short-j0', 'x', Date.now())).toBe('missing');
  });
});
