import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Sender, sendersQueryKey } from './list-senders';

export const updateSender = ({ id, ...input }: Body<'/api/v1/senders/{id}', 'patch'> & { id: string }) =>
  api.patch<Sender>(`/api/v1/senders/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/senders/{id} */
export function useUpdateSender(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateSender,
    onSettled: () => queryClient.invalidateQueries({ queryKey: sendersQueryKey(orgId) }),
  });
}
