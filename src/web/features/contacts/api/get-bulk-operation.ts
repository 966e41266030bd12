import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';

export type BulkOperation = Res<'/api/v1/bulk-operations/{id}', 'get'>;

export const bulkOperationQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: ['orgs', orgId, 'bulk-operations', id] as const,
    queryFn: ({ signal }) =>
      api.get<BulkOperation>(`/api/v1/bulk-operations/${encodeURIComponent(id)}`, { signal }),
    // Poll every second until the operation ends.
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'done' || status === 'failed' ? false : 1000;
    },
    staleTime: 0,
  });

/** GET /api/v1/bulk-operations/{id}, polled while it runs. */
export function useBulkOperation(orgId: string, id: string | null) {
  return useQuery({ ...bulkOperationQueryOptions(orgId, id ?? ''), enabled: id !== null });
}
