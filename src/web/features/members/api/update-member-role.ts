import type { Role } from '@common/permissions';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { meQueryKey } from '@/lib/session';
import { type Member, membersQueryKey } from './list-members';

export const updateMemberRole = ({ id, role }: { id: string; role: Role }) =>
  api.patch<Member>(`/api/v1/members/${encodeURIComponent(id)}`, { role });

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
