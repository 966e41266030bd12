import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { sendingQueryKey } from './get-sending';
import { sendersQueryKey } from './list-senders';

export const deleteSender = ({ id }: { id: string }) =>
  api.delete(`/api/v1/senders/${encodeURIComponent(id)}`);

/** DELETE /api/v1/senders/{id} */
export function useDeleteSender(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteSender,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: sendersQueryKey(orgId) });
      await queryClient.invalidateQueries({ queryKey: sendingQueryKey(orgId) });
    },
  });
}
