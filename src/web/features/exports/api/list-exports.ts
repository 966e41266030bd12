import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { exportsKey } from './types';

export const exportsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: exportsKey(orgId),
    queryFn: ({ signal }) => api.get<Res<'/api/v1/exports', 'get'>>('/api/v1/exports', { signal }),
    select: (data) => data.items,
    staleTime: 0,
  });

/** GET /api/v1/exports: recent exports (organisation zips only for owners), newest first. */
export function useExports(orgId: string) {
  return useQuery(exportsQueryOptions(orgId));
}
