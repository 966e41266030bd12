import { RUN_STATES, type RunState } from '@common/automations';
import { createFileRoute, useNavigate } from '@tanstack/react-router';
import { automationQueryOptions } from '@/features/automations/api/get-automation';
import { RunsList } from '@/features/automations/components/runs-list';
import { useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/automations/$id/runs')({
  staticData: { wide: true },
  validateSearch: (search: Record<string, unknown>): { state?: RunState } =>
    typeof search.state === 'string' && (RUN_STATES as readonly string[]).includes(search.state)
      ? { state: search.state as RunState }
      : {},
  loader: ({ context, params }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(automationQueryOptions(orgId, params.id));
  },
  component: RunsPage,
});

function RunsPage() {
  const { id } = Route.useParams();
  const { state } = Route.useSearch();
  const navigate = useNavigate({ from: Route.fullPath });
  useDocumentTitle('Automation runs');
  return (
    <RunsList
      orgId={useMe().activeOrganization!.id}
      automationId={id}
      state={state ?? 'all'}
      onStateChange={(next) =>
        void navigate({ search: next === 'all' ? {} : { state: next }, replace: true })
      }
    />
  );
}
