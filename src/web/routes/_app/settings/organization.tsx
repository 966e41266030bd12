import { createFileRoute } from '@tanstack/react-router';
import { RequireTwoFactorSetting } from '@/features/account/components/require-two-factor-setting';
import { OrganizationExportCard } from '@/features/exports/components/organization-export-card';
import { useMembers } from '@/features/members/api/list-members';
import { OrganizationDangerZone } from '@/features/organizations/components/organization-danger-zone';
import { OrganizationSettingsForm } from '@/features/organizations/components/organization-settings-form';
import { useCan, useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/organization')({
  component: OrganizationPage,
});

function OrganizationPage() {
  useDocumentTitle('Organisation settings');
  const me = useMe();
  const org = me.activeOrganization;
  const canExport = useCan('org:export');
  const members = useMembers(org?.id ?? '');
  // The last owner cannot leave (the server refuses too): say so before they try.
  const owners = members.data?.filter((m) => m.role === 'owner').length;
  const soleOwner = org?.role === 'owner' && owners !== undefined && owners <= 1;
  return (
    <div className="grid gap-6">
      <OrganizationSettingsForm />
      {org ? <RequireTwoFactorSetting orgId={org.id} isOwner={org.role === 'owner'} /> : null}
      {canExport && org ? <OrganizationExportCard orgId={org.id} /> : null}
      {org ? <OrganizationDangerZone soleOwner={soleOwner} /> : null}
    </div>
  );
}
