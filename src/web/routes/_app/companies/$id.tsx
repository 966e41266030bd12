import { createFileRoute } from '@tanstack/react-router';
import { companyQueryOptions } from '@/features/companies/api/get-company';
import { CompanyDetail } from '@/features/companies/components/company-detail';
import { useFields } from '@/features/custom-fields/api/list-fields';
import { NotesPanel } from '@/features/notes/components/notes-panel';
import { useCan, useMe } from '@/lib/session';

export const Route = createFileRoute('/_app/companies/$id')({
  staticData: { wide: true },
  loader: ({ context, params }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(companyQueryOptions(orgId, params.id));
  },
  component: CompanyPage,
});

function CompanyPage() {
  const { id } = Route.useParams();
  const me = useMe();
  const canWrite = useCan('contacts:write');
  const fields = useFields(me.activeOrganization!.id, 'company');
  return (
    <CompanyDetail
      key={id}
      companyId={id}
      fields={fields.data ?? []}
      notes={<NotesPanel target={{ type: 'company', id }} canWrite={canWrite} />}
    />
  );
}
