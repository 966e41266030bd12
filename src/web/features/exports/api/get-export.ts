import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Export, exportKey, isExportActive } from './types';

export const exportQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: exportKey(orgId, id),
    queryFn: ({ signal }) => api.get<Export>(`/api/v1/exports/${encodeURIComponent(id)}`, { signal }),
    // Poll until the file is ready (or the export failed).
    refetchInterval: (query) => (query.state.data && isExportActive(query.state.data.status) ? 700 : false),
    refetchIntervalInBackground: true,
    staleTime: 0,
  });

/** GET /api/v1/exports/{id}: polled while the export is queued or running. */
export function useExport(orgId: string, id: string | undefined) {
  return useQuery({ ...exportQueryOptions(orgId, id ?? ''), enabled: Boolean(id) });
}
