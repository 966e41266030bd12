import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { meQueryKey } from '@/lib/session';
import { membersQueryKey } from './list-members';

export const updateMemberRole = ({ id, ...input }: Body<'/api/v1/members/{id}', 'patch'> & { id: string }) =>
  api.patch<Res<'/api/v1/members/{id}', 'patch'>>(`/api/v1/members/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/members/{id} — 403 when not allowed, 409 CONFLICT when it would leave no owner. */
export function useUpdateMemberRole(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateMemberRole,
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: membersQueryKey(orgId) });
      // Changing one's own role changes one's permissions.
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
  });
}
