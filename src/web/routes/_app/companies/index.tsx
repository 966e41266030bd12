import { createFileRoute, useNavigate } from '@tanstack/react-router';
import * as React from 'react';
import { CompaniesView } from '@/features/companies/components/companies-view';
import { useDocumentTitle } from '@/lib/use-document-title';

interface CompaniesSearch {
  q?: string;
  sort?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);

export const Route = createFileRoute('/_app/companies/')({
  validateSearch: (search: Record<string, unknown>): CompaniesSearch => ({
    q: str(search.q),
    sort: str(search.sort),
  }),
  component: CompaniesPage,
});

function CompaniesPage() {
  useDocumentTitle('Companies');
  const search = Route.useSearch();
  const navigate = useNavigate();
  const onChange = React.useCallback(
    (next: CompaniesSearch) => void navigate({ to: '/companies', search: next, replace: true }),
    [navigate],
  );
  return <CompaniesView search={search.q ?? ''} sort={search.sort ?? 'name'} onChange={onChange} />;
}
