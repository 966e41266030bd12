import type { Permission } from '@common/permissions';
import { createFileRoute, Link, Outlet } from '@tanstack/react-router';
import { Ban, Building2, KeyRound, ListPlus, Send, ShieldCheck, Tags, UserRound, Users } from 'lucide-react';
import { PageHeader } from '@/components/ui/page-header';
import { useMe } from '@/lib/session';
import { cn } from '@/lib/utils';

/** Tabs; one that needs a permission is shown only to those who hold it (the page explains itself too). */
const TABS: ReadonlyArray<{
  to:
    | '/settings/members'
    | '/settings/organization'
    | '/settings/fields'
    | '/settings/tags'
    | '/settings/api-keys'
    | '/settings/sending'
    | '/settings/suppressions'
    | '/settings/profile'
    | '/settings/security';
  label: string;
  icon: typeof Users;
  permission?: Permission;
}> = [
  { to: '/settings/members', label: 'Members', icon: Users },
  { to: '/settings/organization', label: 'Organisation', icon: Building2 },
  { to: '/settings/fields', label: 'Custom fields', icon: ListPlus },
  { to: '/settings/tags', label: 'Tags', icon: Tags },
  { to: '/settings/api-keys', label: 'API keys', icon: KeyRound, permission: 'settings:write' },
  { to: '/settings/sending', label: 'Sending', icon: Send, permission: 'settings:read' },
  { to: '/settings/suppressions', label: 'Suppressions', icon: Ban, permission: 'settings:read' },
  { to: '/settings/profile', label: 'Profile', icon: UserRound },
  { to: '/settings/security', label: 'Security', icon: ShieldCheck },
];

export const Route = createFileRoute('/_app/settings')({
  component: SettingsLayout,
});

function SettingsLayout() {
  const { permissions } = useMe();
  const tabs = TABS.filter((t) => !t.permission || permissions.includes(t.permission));
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Settings"
        description="Manage your organisation, its members, data model and integrations, and your account."
      />
      <nav aria-label="Settings" className="-mb-px flex flex-wrap gap-x-1 border-b border-border">
        {tabs.map(({ to, label, icon: Icon }) => (
          <Link
            key={to}
            to={to}
            className={cn(
              'group inline-flex items-center gap-2 border-b-2 border-transparent px-3 pt-1 pb-2.5 text-sm font-medium whitespace-nowrap text-muted-foreground transition-colors',
              'rounded-t-sm outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring',
            )}
            activeProps={{ className: 'border-accent! text-foreground', 'aria-current': 'page' }}
          >
            <Icon aria-hidden="true" className="size-4 group-aria-[current=page]:text-accent" />
            {label}
          </Link>
        ))}
      </nav>
      <div className="pt-2">
        <Outlet />
      </div>
    </div>
  );
}
