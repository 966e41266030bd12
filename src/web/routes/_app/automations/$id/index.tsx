import { createFileRoute } from '@tanstack/react-router';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { automationQueryOptions, useAutomation } from '@/features/automations/api/get-automation';
import { AutomationBuilder } from '@/features/automations/components/builder';
import { isApiError } from '@/lib/api';
import { useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/automations/$id/')({
  staticData: { wide: true },
  loader: ({ context, params }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(automationQueryOptions(orgId, params.id));
  },
  component: AutomationPage,
});

/** The builder of one automation (its latest version; older ones read-only). */
function AutomationPage() {
  const { id } = Route.useParams();
  const orgId = useMe().activeOrganization!.id;
  const query = useAutomation(orgId, id);
  useDocumentTitle(query.data?.name ?? 'Automation');
  if (query.isPending) {
    return (
      <div className="grid gap-3" role="status" aria-label="Loading automation">
        <Skeleton className="h-8 w-96" />
        <Skeleton className="h-[32rem]" />
      </div>
    );
  }
  if (query.isError) {
    const missing = isApiError(query.error, 'NOT_FOUND');
    return (
      <ErrorState
        title={missing ? 'Automation not found' : 'Could not load this automation'}
        error={query.error}
        onRetry={missing ? undefined : () => void query.refetch()}
      />
    );
  }
  return <AutomationBuilder key={id} orgId={orgId} automation={query.data} />;
}
