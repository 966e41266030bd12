import { createFileRoute } from '@tanstack/react-router';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { useFields } from '@/features/custom-fields/api/list-fields';
import { templateQueryOptions, useTemplate } from '@/features/templates/api/get-template';
import { TemplateEditor } from '@/features/templates/components/template-editor';
import { isApiError } from '@/lib/api';
import { useMe } from '@/lib/session';

export const Route = createFileRoute('/_app/templates/$id')({
  staticData: { wide: true },
  loader: ({ context, params }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(templateQueryOptions(orgId, params.id));
  },
  component: TemplatePage,
});

function TemplatePage() {
  const { id } = Route.useParams();
  const orgId = useMe().activeOrganization!.id;
  const query = useTemplate(orgId, id);
  const fields = useFields(orgId, 'contact');
  if (query.isPending) {
    return (
      <div className="grid gap-6" role="status" aria-label="Loading template">
        <Skeleton className="h-12 w-72" />
        <Skeleton className="h-96" />
      </div>
    );
  }
  if (query.isError) {
    const missing = isApiError(query.error, 'NOT_FOUND');
    return (
      <ErrorState
        title={missing ? 'Template not found' : 'Could not load this template'}
        error={query.error}
        onRetry={missing ? undefined : () => void query.refetch()}
      />
    );
  }
  // Keyed by id: another template starts a fresh draft. A save refreshes `template` (the saved
  // state) while the draft keeps what was typed.
  return <TemplateEditor key={id} orgId={orgId} template={query.data} customFields={fields.data ?? []} />;
}
