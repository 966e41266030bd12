import type { FilterNode } from '@common/filters';
import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Contact, contactsKey, type Page } from './types';

export interface ContactSearchParams {
  filter?: FilterNode;
  search?: string;
  segmentId?: string;
  sort?: string;
}

export const PAGE_SIZE = 100;

export const searchContactsQueryOptions = (orgId: string, params: ContactSearchParams) =>
  infiniteQueryOptions({
    queryKey: [...contactsKey(orgId), 'search', params] as const,
    queryFn: ({ pageParam, signal }) =>
      api.post<Page<Contact>>(
        '/api/v1/contacts/search',
        {
          ...params,
          limit: PAGE_SIZE,
          ...(pageParam ? { cursor: pageParam } : { includeCount: true }),
        },
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
