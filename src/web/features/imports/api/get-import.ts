import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Import, importKey, isActive } from './types';

/** How often a queued or running import is polled. */
export const POLL_MS = 500;

export const importQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: importKey(orgId, id),
    queryFn: ({ signal }) => api.get<Import>(`/api/v1/imports/${encodeURIComponent(id)}`, { signal }),
    // Poll while the import waits or runs; stop once it has ended.
    refetchInterval: (query) => (query.state.data && isActive(query.state.data.status) ? POLL_MS : false),
    refetchIntervalInBackground: true,
    staleTime: 0,
  });

/** GET /api/v1/imports/{id}: status, progress and counts (polled every 500 ms while it runs). */
export function useImport(orgId: string, id: string | undefined) {
  return useQuery({ ...importQueryOptions(orgId, id ?? ''), enabled: Boolean(id) });
}
