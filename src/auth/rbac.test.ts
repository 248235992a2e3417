import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLE_PERMISSIONS, type Permission, type PrincipalRole } from './permissions.js';
import { ANONYMOUS, type Principal } from './principal.js';
import { authorize } from './rbac.js';

const user = (role: PrincipalRole, userId = 'usr_me', grants: Principal['grants'] = []): Principal => (role === 'anonymous' ? ANONYMOUS : { kind: 'user', role, userId, grants });

describe('authorize', () => {
  it('follows the permission matrix for every role and permission', () => {
    for (const role of ['admin', 'publisher', 'moderator', 'viewer', 'anonymous'] as PrincipalRole[]) {
      for (const permission of PERMISSIONS) {
        const d = authorize(user(role), permission);
        expect(d.allow, `${role} ${permission}`).toBe(ROLE_PERMISSIONS[role].has(permission));
        if (!d.allow) expect(d.status).toBe(role === 'anonymous' ? 401 : 403);
      }
    }
  });

  it('the matrix keeps its promises: admin does all, viewers never manage, only admins read the audit log', () => {
    expect(ROLE_PERMISSIONS.admin.size).toBe(PERMISSIONS.length);
    for (const p of ['users:manage', 'streams:create', 'streams:control', 'streams:keys', 'audit:read', 'webhooks:manage'] as Permission[]) {
      expect(authorize(user('viewer'), p).allow).toBe(false);
      expect(authorize(user('moderator'), p).allow).toBe(false);
    }
    expect(authorize(user('moderator'), 'chat:moderate').allow).toBe(true);
    expect(authorize(user('publisher'), 'audit:read').allow).toBe(false);
  });

  it('a publisher manages only its own streams; an admin manages any', () => {
    for (const p of ['streams:update', 'streams:delete', 'streams:control', 'streams:keys', 'streams:publish'] as Permission[]) {
      expect(authorize(user('publisher'), p, { ownerId: 'usr_me' }).allow).toBe(true);
      const other = authorize(user('publisher'), p, { ownerId: 'usr_other' });
      expect(other).toMatchObject({ allow: false, status: 403 });
      expect(authorize(user('admin'), p, { ownerId: 'usr_other' }).allow).toBe(true);
    }
  });

  it('a scoped grant allows exactly its permission on exactly its resource', () => {
    const p = user('viewer', 'usr_v', [
      { permission: 'streams:publish', streamId: 'st_x' },
      { permission: 'chat:moderate', roomId: 'room_y' },
    ]);
    expect(authorize(p, 'streams:publish', { streamId: 'st_x', ownerId: 'usr_someone' }).allow).toBe(true);
    expect(authorize(p, 'streams:publish', { streamId: 'st_other' }).allow).toBe(false);
    expect(authorize(p, 'chat:moderate', { roomId: 'room_y' }).allow).toBe(true);
    expect(authorize(p, 'chat:moderate', { roomId: 'room_z' }).allow).toBe(false);
    expect(authorize(p, 'streams:delete', { streamId: 'st_x' }).allow).toBe(false);
  });
});
