/**
 * Typed permissions shared by server and web. Roles map to sets of permissions;
 * the API tells the UI which ones the current user holds so it never re-derives rules.
 */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'org:read',
  'org:update',
  'org:delete',
  'org:export',
  'members:read',
  'members:invite',
  'members:update',
  'members:remove',
  'contacts:read',
  'contacts:write',
  'campaigns:read',
  'campaigns:write',
  'campaigns:send',
  'automations:read',
  'automations:write',
  'settings:read',
  'settings:write',
  'usage:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: Permission[] = [
  'org:read',
  'members:read',
  'contacts:read',
  'campaigns:read',
  'automations:read',
  'settings:read',
];
const WRITE: Permission[] = ['contacts:write', 'campaigns:write', 'campaigns:send', 'automations:write'];
const ADMIN: Permission[] = [
  'org:update',
  'members:invite',
  'members:update',
  'members:remove',
  'settings:write',
  'usage:read',
];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set<Permission>([...READ, ...WRITE, ...ADMIN, 'org:delete', 'org:export']),
  admin: new Set<Permission>([...READ, ...WRITE, ...ADMIN]),
  member: new Set<Permission>([...READ, ...WRITE]),
  viewer: new Set<Permission>(READ),
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => ROLE_PERMISSIONS[role].has(p));
}

/** Roles an actor may grant (or change someone to). Only owners create owners. */
export function assignableRoles(actor: Role): Role[] {
  if (actor === 'owner') return ['owner', 'admin', 'member', 'viewer'];
  if (actor === 'admin') return ['admin', 'member', 'viewer'];
  return [];
}
