import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';

export const acceptInvitation = ({ id }: { id: string }) =>
  api.post<{ organizationId: string }>(`/api/v1/invitations/${encodeURIComponent(id)}/accept`, {});

/**
 * POST /api/v1/invitations/{id}/accept — the organization becomes active, so all cached data is stale.
 * 403 FORBIDDEN when the invitation was sent to another address, 410 GONE when expired or revoked.
 */
export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: acceptInvitation,
    onSuccess: () => queryClient.invalidateQueries(),
  });
}
