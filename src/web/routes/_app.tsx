import { createFileRoute, Outlet, redirect } from '@tanstack/react-router';
import { AppShell } from '@/components/layout/app-shell';
import { CenteredLayout } from '@/components/layout/centered-layout';
import { UserMenu } from '@/features/auth/components/user-menu';
import { NotificationsBell } from '@/features/notifications/components/notifications-bell';
import { NoOrganization } from '@/features/organizations/components/no-organization';
import { OrganizationSwitcher } from '@/features/organizations/components/organization-switcher';
import { RemovedFromOrganization } from '@/features/organizations/components/removed-from-organization';
import { SegmentsNav } from '@/features/segments/components/segments-nav';
import { isUnauthenticated } from '@/lib/api';
import { meQueryOptions, useMe } from '@/lib/session';

/** The auth guard: every screen below needs a session. Signed-out visitors go to sign-in and come back. */
export const Route = createFileRoute('/_app')({
  beforeLoad: async ({ context, location }) => {
    try {
      await context.queryClient.ensureQueryData(meQueryOptions());
    } catch (error) {
      if (isUnauthenticated(error)) {
        throw redirect({ to: '/sign-in', search: { redirect: location.href }, replace: true });
      }
      throw error;
    }
  },
  component: AppLayout,
});

function AppLayout() {
  const me = useMe();
  if (!me.activeOrganization) {
    return (
      <CenteredLayout>
        <NoOrganization />
      </CenteredLayout>
    );
  }
  return (
    <AppShell
      orgSwitcher={<OrganizationSwitcher />}
      userMenu={<UserMenu />}
      notifications={<NotificationsBell />}
      contactsNav={(onNavigate) => <SegmentsNav onNavigate={onNavigate} />}
    >
      <Outlet />
      <RemovedFromOrganization />
    </AppShell>
  );
}
