import type { Role } from '@common/permissions';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Invitation, invitationsQueryKey } from './list-invitations';

export const createInvitation = (input: { email: string; role: Role }) =>
  api.post<Invitation>('/api/v1/invitations', input);

/** POST /api/v1/invitations — 409 when the address is already a member or already invited. */
export function useCreateInvitation(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createInvitation,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationsQueryKey(orgId) }),
  });
}
