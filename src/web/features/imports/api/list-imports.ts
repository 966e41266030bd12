import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { importsKey, isActive } from './types';

export const importsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: importsKey(orgId),
    queryFn: ({ signal }) => api.get<Res<'/api/v1/imports', 'get'>>('/api/v1/imports', { signal }),
    select: (data) => data.items,
    // Refresh while one of them is still running.
    refetchInterval: (query) => (query.state.data?.items.some((i) => isActive(i.status)) ? 2000 : false),
    staleTime: 0,
  });

/** GET /api/v1/imports: the organisation's import history (newest first, the last 100). */
export function useImports(orgId: string) {
  return useQuery(importsQueryOptions(orgId));
}

/** The server's upload limit (IMPORT_MAX_BYTES), from the same request as the history. */
export function useImportMaxBytes(orgId: string) {
  return useQuery({ ...importsQueryOptions(orgId), select: (data) => data.maxUploadBytes }).data;
}
