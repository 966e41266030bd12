import type { Role } from '@common/permissions';

const LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member', viewer: 'Viewer' };

const DESCRIPTIONS: Record<Role, string> = {
  owner: 'Full access, including deleting the organisation',
  admin: 'Manages members and settings',
  member: 'Works with contacts, campaigns and automations',
  viewer: 'Read-only access',
};

export function roleLabel(role: Role): string {
  return LABELS[role] ?? role;
}

export function roleDescription(role: Role): string {
  return DESCRIPTIONS[role] ?? '';
}
