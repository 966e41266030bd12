import { useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';

export type WebhookSecret = Res<'/api/v1/automations/webhook-secret', 'get'>;

/** GET /api/v1/automations/webhook-secret: the Standard Webhooks secret receivers verify with (on demand). */
export function useWebhookSecret(orgId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['orgs', orgId, 'automations-webhook-secret'] as const,
    queryFn: ({ signal }) => api.get<WebhookSecret>('/api/v1/automations/webhook-secret', { signal }),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}
