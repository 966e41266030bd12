import { createFileRoute } from '@tanstack/react-router';
import { ChangePasswordForm } from '@/features/profile/components/change-password-form';
import { ProfileForm } from '@/features/profile/components/profile-form';
import { SignOutEverywhere } from '@/features/profile/components/sign-out-everywhere';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/profile')({
  component: ProfilePage,
});

function ProfilePage() {
  useDocumentTitle('Profile');
  return (
    <div className="grid gap-6">
      <ProfileForm />
      <ChangePasswordForm />
      <SignOutEverywhere />
    </div>
  );
}
