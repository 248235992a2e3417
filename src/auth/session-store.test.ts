import { describe, expect, it } from 'vitest';
import { MemorySessionStore, type Session, type SessionStore } from './session-store.js';

function session(id: string, userId: string, over: Partial<Session> = {}): Session {
  const now = Date.now();
  return { id, userId, username: userId, role: 'viewer', createdAt: now, lastUsedAt: now, expiresAt: now + 60_000, currentRefreshJti: `${id}-j0`, revoked: false, ...over };
}

/** The behaviour every SessionStore must have; a Redis store runs the same suite. */
export function runSessionStoreContract(name: string, make: () => Promise<SessionStore> | SessionStore): void {
  describe(`SessionStore contract: ${name}`, () => {
    it('rotate is a compare-and-set: the current jti rotates once, any other is reuse', async () => {
      const store = await make();
      await store.create(session('s1', 'u1'));
      expect(await store.rotate('s1', 's1-j0', 's1-j1', Date.now())).toBe('rotated');
      expect(await store.rotate('s1', 's1-j0', 's1-j2', Date.now())).toBe('reused');
      expect((await store.get('s1'))?.currentRefreshJti).toBe('s1-j1');
      const results = await Promise.all([store.rotate('s1', 's1-j1', 'a', Date.now()), store.rotate('s1', 's1-j1', 'b', Date.now())]);
      expect(results.sort()).toEqual(['reused', 'rotated']);
    });

    it('revoked, expired and unknown sessions do not rotate and are not listed', async () => {
      const store = await make();
      await store.create(session('live', 'u1'));
      await store.create(session('old', 'u1', { expiresAt: Date.now() - 1 }));
      await store.create(session('gone', 'u1'));
      expect(await store.revoke('gone')).toBe(true);
      expect(await store.revoke('gone')).toBe(false);
      expect(await store.rotate('gone', 'gone-j0', 'x', Date.now())).toBe('missing');
      expect(await store.rotate('old', 'old-j0', 'x', Date.now())).toBe('missing');
      expect(await store.rotate('nope', 'j', 'x', Date.now())).toBe('missing');
      expect((await store.listForUser('u1')).map((s) => s.id)).toEqual(['live']);
    });

    it('revokeAllForUser ends that user’s sessions only', async () => {
      const store = await make();
      await store.create(session('a1', 'a'));
      await store.create(session('a2', 'a'));
      await store.create(session('b1', 'b'));
      expect(await store.revokeAllForUser('a')).toBe(2);
      expect(await store.listForUser('a')).toEqual([]);
      expect((await store.listForUser('b')).map((s) => s.id)).toEqual(['b1']);
    });

    it('returns copies: changing a returned session changes nothing stored', async () => {
      const store = await make();
      await store.create(session('c1', 'u'));
      const got = await store.get('c1');
      if (got !== undefined) got.revoked = true;
      expect((await store.get('c1'))?.revoked).toBe(false);
    });
  });
}

runSessionStoreContract('memory', () => new MemorySessionStore());
