/** The roles a user can hold; `anonymous` is whoever brings no credentials. */
export const ROLES = ['admin', 'publisher', 'moderator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export type PrincipalRole = Role | 'anonymous';

/** Every action the server protects. */
export const PERMISSIONS = [
  'streams:create',
  'streams:read',
  'streams:update',
  'streams:delete',
  'streams:control',
  'streams:keys',
  'streams:publish',
  'streams:play',
  'users:manage',
  'sessions:read',
  'sessions:manage',
  'webhooks:manage',
  'chat:read',
  'chat:write',
  'chat:moderate',
  'recordings:read',
  'recordings:delete',
  'rooms:join',
  'rooms:publish',
  'rooms:subscribe',
  'rooms:manage',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions that, below admin, apply only to resources the principal owns. */
export const OWNER_SCOPED: ReadonlySet<Permission> = new Set<Permission>([
  'streams:update',
  'streams:delete',
  'streams:control',
  'streams:keys',
  'streams:publish',
  'recordings:delete',
]);

const VIEWING: readonly Permission[] = ['streams:read', 'streams:play', 'chat:read', 'chat:write', 'recordings:read', 'rooms:join', 'rooms:subscribe', 'sessions:read'];

/** The permission matrix: what each role may do (owner checks come on top, see OWNER_SCOPED). */
export const ROLE_PERMISSIONS: Readonly<Record<PrincipalRole, ReadonlySet<Permission>>> = {
  admin: new Set(PERMISSIONS),
  publisher: new Set<Permission>([
    ...VIEWING,
    'streams:create',
    'streams:update',
    'streams:delete',
    'streams:control',
    'streams:keys',
    'streams:publish',
    'recordings:delete',
    'rooms:publish',
    'rooms:manage',
  ]),
  moderator: new Set<Permission>([...VIEWING, 'chat:moderate']),
  viewer: new Set<Permission>(VIEWING),
  anonymous: new Set<Permission>(['streams:read', 'streams:play', 'chat:read']),
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}
