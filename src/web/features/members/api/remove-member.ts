import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { membersQueryKey } from './list-members';

export const removeMember = ({ id }: { id: string }) =>
  api.delete(`/api/v1/members/${encodeURIComponent(id)}`);

/** DELETE /api/v1/members/{id} */
export function useRemoveMember(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeMember,
    onSettled: () => queryClient.invalidateQueries({ queryKey: membersQueryKey(orgId) }),
  });
}
