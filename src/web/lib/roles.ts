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

const PLURAL_LABELS: Record<Role, string> = {
  owner: 'Owners',
  admin: 'Admins',
  member: 'Members',
  viewer: 'Viewers',
};

/** Why a control is disabled for a role: "Viewers can’t add contacts. Ask an admin or owner." */
export function roleCannot(role: Role | undefined, action: string): string {
  const who = role ? PLURAL_LABELS[role] : 'Your role';
  return `${who} can’t ${action}. Ask an admin or owner if you need to.`;
}
