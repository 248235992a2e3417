import { OWNER_SCOPED, ROLE_PERMISSIONS, type Permission } from './permissions.js';
import type { Principal, ResourceRef } from './principal.js';

/** Allowed, or refused with the reason and whether signing in could help (401) or not (403). */
export type AuthzDecision = { allow: true } | { allow: false; status: 401 | 403; reason: string };

/** Whether a scoped grant of the principal covers exactly this permission on this resource. */
export function hasGrant(principal: Principal, permission: Permission, resource: ResourceRef | undefined): boolean {
  if (resource === undefined) return false;
  return principal.grants.some(
    (g) =>
      g.permission === permission &&
      ((g.streamId !== undefined && g.streamId === resource.streamId) || (g.roomId !== undefined && g.roomId === resource.roomId)),
  );
}

/**
 * The one authorization function: a scoped grant on the exact resource allows; otherwise the role
 * must hold the permission, and below admin owner-scoped permissions need the principal to own it.
 */
export function authorize(principal: Principal, permission: Permission, resource?: ResourceRef): AuthzDecision {
  if (hasGrant(principal, permission, resource)) return { allow: true };
  const refuse = (reason: string): AuthzDecision => ({ allow: false, status: principal.kind === 'anonymous' ? 401 : 403, reason });
  if (!ROLE_PERMISSIONS[principal.role].has(permission)) {
    return refuse(principal.kind === 'anonymous' ? `${permission} needs a signed-in user` : `role ${principal.role} may not ${permission}`);
  }
  if (principal.role !== 'admin' && OWNER_SCOPED.has(permission) && resource?.ownerId !== undefined && resource.ownerId !== principal.userId) {
    return refuse(`${permission} is allowed only on your own resources`);
  }
  return { allow: true };
}
