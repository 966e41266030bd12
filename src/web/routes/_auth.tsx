import { createFileRoute, Outlet } from '@tanstack/react-router';
import { CenteredLayout } from '@/components/layout/centered-layout';

/** Public screens: sign-up, sign-in, password reset, invitations. */
export const Route = createFileRoute('/_auth')({
  component: () => (
    <CenteredLayout>
      <Outlet />
    </CenteredLayout>
  ),
});
