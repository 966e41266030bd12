import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
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

/**
 * The exact number of contacts a view matches. The first page's count stops at 10,000
 * (`countCapped`) so it stays fast at a million contacts; this asks for the whole count, only
 * when the user wants it or selects contacts of a view that large.
 */
export const exactContactCountQueryOptions = (orgId: string, params: ContactSearchParams) => ({
  queryKey: [...contactsKey(orgId), 'exact-count', params] as const,
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    api
      .post<Res<'/api/v1/contacts/search', 'post'>>(
        '/api/v1/contacts/search',
        { ...params, limit: 1, includeCount: true, exactCount: true } satisfies SearchBody,
        { signal },
      )
      .then((r) => r.count ?? 0),
  staleTime: 0,
});

export function useExactContactCount(orgId: string, params: ContactSearchParams, enabled: boolean) {
  return useQuery({ ...exactContactCountQueryOptions(orgId, params), enabled });
}
