import { createFileRoute } from '@tanstack/react-router';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { runQueryOptions, useRun } from '@/features/automations/api/get-run';
import { RunDetailView } from '@/features/automations/components/run-detail';
import { isApiError } from '@/lib/api';
import { useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/automations/runs/$runId')({
  loader: ({ context, params }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(runQueryOptions(orgId, params.runId));
  },
  component: RunPage,
});

function RunPage() {
  const { runId } = Route.useParams();
  const orgId = useMe().activeOrganization!.id;
  const query = useRun(orgId, runId);
  useDocumentTitle('Automation run');
  if (query.isPending) {
    return (
      <div className="grid gap-4" role="status" aria-label="Loading run">
        <Skeleton className="h-10 w-80" />
        <Skeleton className="h-64" />
      </div>
    );
  }
  if (query.isError) {
    const missing = isApiError(query.error, 'NOT_FOUND');
    return (
      <ErrorState
        title={missing ? 'Run not found' : 'Could not load this run'}
        error={query.error}
        onRetry={missing ? undefined : () => void query.refetch()}
      />
    );
  }
  return <RunDetailView orgId={orgId} run={query.data} />;
}
