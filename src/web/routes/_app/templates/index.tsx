import { createFileRoute } from '@tanstack/react-router';
import { templatesQueryOptions } from '@/features/templates/api/list-templates';
import { TemplatesList } from '@/features/templates/components/templates-list';
import { useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/templates/')({
  loader: ({ context }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(templatesQueryOptions(orgId));
  },
  component: TemplatesPage,
});

function TemplatesPage() {
  useDocumentTitle('Templates');
  return <TemplatesList orgId={useMe().activeOrganization!.id} />;
}
