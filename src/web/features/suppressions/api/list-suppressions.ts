import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

type SuppressionsPage = Res<'/api/v1/suppressions', 'get'>;
export type Suppression = ItemOf<SuppressionsPage>;

export const SUPPRESSIONS_PAGE_SIZE = 50;

export const suppressionsQueryKey = (orgId: string) => ['orgs', orgId, 'suppressions'] as const;

export interface SuppressionsParams {
  q?: string;
  includeRemoved?: boolean;
}

const path = (params: SuppressionsParams & { cursor: string | null }) => {
  const q = new URLSearchParams({ limit: String(SUPPRESSIONS_PAGE_SIZE) });
  if (params.q) q.set('q', params.q);
  if (params.includeRemoved) q.set('includeRemoved', 'true');
  if (params.cursor) q.set('cursor', params.cursor);
  return `/api/v1/suppressions?${q.toString()}`;
};

export const suppressionsQueryOptions = (orgId: string, params: SuppressionsParams) =>
  infiniteQueryOptions({
    queryKey: [...suppressionsQueryKey(orgId), params] as const,
    queryFn: ({ pageParam, signal }) =>
      api.get<SuppressionsPage>(path({ ...params, cursor: pageParam }), { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

/** GET /api/v1/suppressions, keyset pages (newest first). */
export function useSuppressions(orgId: string, params: SuppressionsParams) {
  return useInfiniteQuery({ ...suppressionsQueryOptions(orgId, params), placeholderData: keepPreviousData });
}
