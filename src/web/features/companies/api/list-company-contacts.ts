import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';
import { companyDetailKey } from './types';

type CompanyContactsPage = Res<'/api/v1/companies/{id}/contacts', 'get'>;

/** A contact of the company (whole contacts, as GET /contacts returns them). */
export type CompanyContact = ItemOf<CompanyContactsPage>;

export const companyContactsQueryOptions = (orgId: string, id: string) =>
  infiniteQueryOptions({
    queryKey: [...companyDetailKey(orgId, id), 'contacts'] as const,
    queryFn: ({ pageParam, signal }) =>
      api.get<CompanyContactsPage>(
        `/api/v1/companies/${encodeURIComponent(id)}/contacts?${new URLSearchParams({
          limit: '25',
          ...(pageParam ? { cursor: pageParam } : {}),
        }).toString()}`,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

/** GET /api/v1/companies/{id}/contacts, page by page. */
export function useCompanyContacts(orgId: string, id: string) {
  return useInfiniteQuery(companyContactsQueryOptions(orgId, id));
}
