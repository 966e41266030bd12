import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { companyDetailKey, type Page } from './types';

/** The fields of a contact this screen shows (GET returns whole contacts). */
export interface CompanyContact {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  jobTitle: string;
  tags: string[];
}

export const companyContactsQueryOptions = (orgId: string, id: string) =>
  infiniteQueryOptions({
    queryKey: [...companyDetailKey(orgId, id), 'contacts'] as const,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<CompanyContact>>(
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
