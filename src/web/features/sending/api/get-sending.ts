import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';

export type Sending = Res<'/api/v1/sending', 'get'>;

export const sendingQueryKey = (orgId: string) => ['orgs', orgId, 'sending'] as const;

export const sendingQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: sendingQueryKey(orgId),
    queryFn: ({ signal }) => api.get<Sending>('/api/v1/sending', { signal }),
  });

/** GET /api/v1/sending */
export function useSending(orgId: string) {
  return useQuery(sendingQueryOptions(orgId));
}
