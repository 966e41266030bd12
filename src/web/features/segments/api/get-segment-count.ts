import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { segmentsQueryKey } from './list-segments';

export const segmentCountQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: [...segmentsQueryKey(orgId), id, 'count'] as const,
    queryFn: ({ signal }) =>
      api.get<Res<'/api/v1/segments/{id}/count', 'get'>>(`/api/v1/segments/${encodeURIComponent(id)}/count`, {
        signal,
      }),
    select: (data) => data.count,
    // "Live": refreshed every minute while shown, and when contacts change (the route invalidates).
    refetchInterval: 60_000,
    staleTime: 10_000,
  });

/** GET /api/v1/segments/{id}/count */
export function useSegmentCount(orgId: string, id: string) {
  return useQuery(segmentCountQueryOptions(orgId, id));
}
