import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { sendingQueryKey } from './get-sending';
import { type Sender, sendersQueryKey } from './list-senders';

export const createSender = (input: Body<'/api/v1/senders', 'post'>) =>
  api.post<Sender>('/api/v1/senders', input);

/** POST /api/v1/senders */
export function useCreateSender(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createSender,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: sendersQueryKey(orgId) });
      await queryClient.invalidateQueries({ queryKey: sendingQueryKey(orgId) }); // readiness
    },
  });
}
