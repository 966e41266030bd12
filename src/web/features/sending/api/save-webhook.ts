import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type EmailProvider, type ProviderWebhook, webhooksQueryKey } from './list-webhooks';

export const saveWebhook = ({
  provider,
  ...input
}: Body<'/api/v1/sending/webhooks/{provider}', 'put'> & { provider: EmailProvider }) =>
  api.put<ProviderWebhook>(`/api/v1/sending/webhooks/${encodeURIComponent(provider)}`, input);

/** PUT /api/v1/sending/webhooks/{provider} */
export function useSaveWebhook(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: saveWebhook,
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhooksQueryKey(orgId) }),
  });
}
