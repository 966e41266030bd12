import type { FilterNode } from '@common/filters';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';

export interface Segment {
  id: string;
  name: string;
  filter: FilterNode;
  createdAt: string;
  updatedAt: string;
}

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
