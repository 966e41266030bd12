import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { invitationsQueryKey } from './list-invitations';

export const revokeInvitation = ({ id }: { id: string }) =>
  api.delete(`/api/v1/invitations/${encodeURIComponent(id)}`);

/** DELETE /api/v1/invitations/{id} */
export function useRevokeInvitation(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeInvitation,
    onSettled: () => queryClient.invalidateQueries({ queryKey: invitationsQueryKey(orgId) }),
  });
}
