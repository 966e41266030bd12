import { useQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { ApiKeysSettings } from '@/features/api-keys/components/api-keys-settings';
import { membersQueryOptions } from '@/features/members/api/list-members';
import { useCan, useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/api-keys')({
  component: ApiKeysPage,
});

function ApiKeysPage() {
  useDocumentTitle('API keys');
  const orgId = useMe().activeOrganization!.id;
  // Only those who manage keys see them, and only they need the members a key can be moved to.
  const canManage = useCan('settings:write');
  const members = useQuery({ ...membersQueryOptions(orgId), enabled: canManage });
  return <ApiKeysSettings members={members.data} />;
}
