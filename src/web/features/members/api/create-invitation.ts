import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { invitationsQueryKey } from './list-invitations';

export const createInvitation = (input: Body<'/api/v1/invitations', 'post'>) =>
  api.post<Res<'/api/v1/invitations', 'post'>>('/api/v1/invitations', input);

/** POST /api/v1/invitations — 409 when the address is already a member or already invited. */
export function useCreateInvitation(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createInvitation,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationsQueryKey(orgId) }),
  });
}
