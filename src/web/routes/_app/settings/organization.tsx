import { createFileRoute } from '@tanstack/react-router';
import { OrganizationExportCard } from '@/features/exports/components/organization-export-card';
import { OrganizationSettingsForm } from '@/features/organizations/components/organization-settings-form';
import { useCan, useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/organization')({
  component: OrganizationPage,
});

function OrganizationPage() {
  useDocumentTitle('Organisation settings');
  const orgId = useMe().activeOrganization?.id;
  const canExport = useCan('org:export');
  return (
    <div className="grid gap-6">
      <OrganizationSettingsForm />
      {canExport && orgId ? <OrganizationExportCard orgId={orgId} /> : null}
    </div>
  );
}
