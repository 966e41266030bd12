import { createFileRoute } from '@tanstack/react-router';
import { OrganizationSettingsForm } from '@/features/organizations/components/organization-settings-form';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/organization')({
  component: OrganizationPage,
});

function OrganizationPage() {
  useDocumentTitle('Organisation settings');
  return <OrganizationSettingsForm />;
}
