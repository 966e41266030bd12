import { createFileRoute } from '@tanstack/react-router';
import { automationsQueryOptions } from '@/features/automations/api/list-automations';
import { AutomationsList } from '@/features/automations/components/automations-list';
import { useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/automations/')({
  loader: ({ context }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(automationsQueryOptions(orgId));
  },
  component: AutomationsPage,
});

function AutomationsPage() {
  useDocumentTitle('Automations');
  return <AutomationsList orgId={useMe().activeOrganization!.id} />;
}
