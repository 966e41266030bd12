import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { contactsKey } from './types';

type SearchBody = Body<'/api/v1/contacts/search', 'post'>;

/** What the contacts view asks for (the page size and cursor are added per page). */
export type ContactSearchParams = Pick<SearchBody, 'filter' | 'search' | 'segmentId' | 'sort'>;

export const PAGE_SIZE = 100;

export const searchContactsQueryOptions = (orgId: string, params: ContactSearchParams) =>
  infiniteQueryOptions({
    queryKey: [...contactsKey(orgId), 'search', params] as const,
    queryFn: ({ pageParam, signal }) =>
      api.post<Res<'/api/v1/contacts/search', 'post'>>(
        '/api/v1/contacts/search',
        {
          ...params,
          limit: PAGE_SIZE,
          ...(pageParam ? { cursor: pageParam } : { includeCount: true }),
        } satisfies SearchBody,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Others (teammates, imports, the API) add contacts too: refresh whenever the table is shown again.
    staleTime: 0,
  });

/**
 * POST /api/v1/contacts/search, one keyset page at a time (the total comes with the first page only).
 * The previous rows stay on screen while a new search or sort loads.
 */
export function useSearchContacts(orgId: string, params: ContactSearchParams) {
  return useInfiniteQuery({
    ...searchContactsQueryOptions(orgId, params),
    placeholderData: keepPreviousData,
  });
}
