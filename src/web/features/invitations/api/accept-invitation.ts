import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { activeOrganizationChanged } from '@/lib/session';

export const acceptInvitation = ({ id }: { id: string }) =>
  api.post<Res<'/api/v1/invitations/{id}/accept', 'post'>>(
    `/api/v1/invitations/${encodeURIComponent(id)}/accept`,
    {},
  );

/**
 * POST /api/v1/invitations/{id}/accept — the organisation becomes active (see activeOrganizationChanged).
 * 403 FORBIDDEN when the invitation was sent to another address, 410 GONE when expired or revoked.
 */
export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: acceptInvitation,
    onSuccess: () => activeOrganizationChanged(queryClient),
  });
}
