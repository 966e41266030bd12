import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type EmailProvider, webhooksQueryKey } from './list-webhooks';

export const deleteWebhook = ({ provider }: { provider: EmailProvider }) =>
  api.delete(`/api/v1/sending/webhooks/${encodeURIComponent(provider)}`);

/** DELETE /api/v1/sending/webhooks/{provider} */
export function useDeleteWebhook(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteWebhook,
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhooksQueryKey(orgId) }),
  });
}
