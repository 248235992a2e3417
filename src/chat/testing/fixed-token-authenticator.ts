import type { ChatAuthenticator, ChatIdentity } from '../types.js';

/** People the tests use; the token of each is `${userId}-token`. */
export const TEST_IDENTITIES: readonly ChatIdentity[] = [
  { userId: 'root', name: 'Root', role: 'admin' },
  { userId: 'mia', name: 'Mia', role: 'moderator' },
  { userId: 'owner', name: 'Owner', role: 'publisher' },
  { userId: 'alice', name: 'Alice', role: 'viewer' },
  { userId: 'bob', name: 'Bob', role: 'viewer' },
  { userId: 'carol', name: 'Carol', role: 'viewer' },
  { userId: 'dave', name: 'Dave', role: 'viewer' },
  { userId: 'granted', name: 'Granted', role: 'viewer', grants: ['chat:moderate:stream1'] },
];

/** The test side of the ChatAuthenticator seam: fixed tokens map to fixed identities. */
export function fixedTokenAuthenticator(extra: readonly ChatIdentity[] = []): ChatAuthenticator {
  const byToken = new Map<string, ChatIdentity>();
  for (const i of [...TEST_IDENTITIES, ...extra]) byToken.set(`${i.userId}-token`, i);
  return async (token) => (token === undefined ? null : (byToken.get(token) ?? null));
}
