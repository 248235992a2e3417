import type { Permission, PrincipalRole } from './permissions.js';

/**
 * A scoped grant carried by a token, like LiveKit's video grants: one permission on one stream or
 * one room (publish stream X, moderate room Y, subscribe room Z), whatever the role says.
 */
export interface Grant {
  permission: Permission;
  streamId?: string;
  roomId?: string;
}

/** Who is asking: a signed-in user (with the session it signed in with) or an anonymous caller. */
export interface Principal {
  kind: 'user' | 'anonymous';
  role: PrincipalRole;
  userId?: string;
  username?: string;
  sessionId?: string;
  grants: readonly Grant[];
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous', role: 'anonymous', grants: Object.freeze([]) }) as Principal;

/** What an action is about, for owner checks and scoped grants. */
export interface ResourceRef {
  ownerId?: string;
  streamId?: string;
  roomId?: string;
}
