import type { FilterNode } from '@common/filters';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

/**
 * A saved segment. The API declares `filter` as any JSON (stored filters are not re-validated when
 * read); it is what the segment was saved with, a FilterNode, validated on create and update.
 */
export type Segment = Omit<ItemOf<Res<'/api/v1/segments', 'get'>>, 'filter'> & { filter: FilterNode };

export const segmentsQueryKey = (orgId: string) => ['orgs', orgId, 'segments'] as const;

export const segmentsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: segmentsQueryKey(orgId),
    queryFn: ({ signal }) => api.get<{ items: Segment[] }>('/api/v1/segments', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/segments */
export function useSegments(orgId: string) {
  return useQuery(segmentsQueryOptions(orgId));
}
