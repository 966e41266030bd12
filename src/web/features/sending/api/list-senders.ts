import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

export type Sender = ItemOf<Res<'/api/v1/senders', 'get'>>;

export const sendersQueryKey = (orgId: string) => ['orgs', orgId, 'senders'] as const;

export const sendersQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: sendersQueryKey(orgId),
    queryFn: ({ signal }) => api.get<Res<'/api/v1/senders', 'get'>>('/api/v1/senders', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/senders */
export function useSenders(orgId: string) {
  return useQuery(sendersQueryOptions(orgId));
}
