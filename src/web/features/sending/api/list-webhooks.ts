import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';
import { sendingQueryKey } from './get-sending';

export type ProviderWebhook = ItemOf<Res<'/api/v1/sending/webhooks', 'get'>>;
export type EmailProvider = ProviderWebhook['provider'];

export const webhooksQueryKey = (orgId: string) => [...sendingQueryKey(orgId), 'webhooks'] as const;

export const webhooksQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: webhooksQueryKey(orgId),
    queryFn: ({ signal }) =>
      api.get<Res<'/api/v1/sending/webhooks', 'get'>>('/api/v1/sending/webhooks', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/sending/webhooks */
export function useWebhooks(orgId: string) {
  return useQuery(webhooksQueryOptions(orgId));
}
