import { createFileRoute, useNavigate } from '@tanstack/react-router';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { campaignQueryOptions, useCampaign } from '@/features/campaigns/api/get-campaign';
import { CampaignView } from '@/features/campaigns/components/campaign-view';
import {
  CampaignWizard,
  isWizardStep,
  type WizardStep,
} from '@/features/campaigns/components/campaign-wizard';
import { isApiError } from '@/lib/api';
import { useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/campaigns/$id')({
  staticData: { wide: true },
  validateSearch: (search: Record<string, unknown>): { step?: WizardStep } =>
    isWizardStep(search.step) ? { step: search.step } : {},
  loader: ({ context, params }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(campaignQueryOptions(orgId, params.id));
  },
  component: CampaignPage,
});

/** A draft continues in the wizard; a campaign that left the draft state shows progress and report. */
function CampaignPage() {
  const { id } = Route.useParams();
  const { step } = Route.useSearch();
  const navigate = useNavigate({ from: Route.fullPath });
  const orgId = useMe().activeOrganization!.id;
  const query = useCampaign(orgId, id);
  useDocumentTitle(query.data?.name ?? 'Campaign');
  if (query.isPending) {
    return (
      <div className="grid gap-6" role="status" aria-label="Loading campaign">
        <Skeleton className="h-12 w-72" />
        <Skeleton className="h-96" />
      </div>
    );
  }
  if (query.isError) {
    const missing = isApiError(query.error, 'NOT_FOUND');
    return (
      <ErrorState
        title={missing ? 'Campaign not found' : 'Could not load this campaign'}
        error={query.error}
        onRetry={missing ? undefined : () => void query.refetch()}
      />
    );
  }
  if (query.data.status === 'draft') {
    return (
      <CampaignWizard
        key={id}
        orgId={orgId}
        campaign={query.data}
        step={step ?? 'audience'}
        onStepChange={(next) => void navigate({ search: { step: next } })}
      />
    );
  }
  return <CampaignView orgId={orgId} campaign={query.data} />;
}
