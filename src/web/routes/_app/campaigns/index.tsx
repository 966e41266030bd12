import { createFileRoute } from '@tanstack/react-router';
import { campaignsQueryOptions } from '@/features/campaigns/api/list-campaigns';
import { CampaignsList } from '@/features/campaigns/components/campaigns-list';
import { useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/campaigns/')({
  loader: ({ context }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(campaignsQueryOptions(orgId));
  },
  component: CampaignsPage,
});

function CampaignsPage() {
  useDocumentTitle('Campaigns');
  return <CampaignsList orgId={useMe().activeOrganization!.id} />;
}
