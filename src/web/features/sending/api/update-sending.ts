import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Sending, sendingQueryKey } from './get-sending';

export type SendingChange = Body<'/api/v1/sending', 'put'>;

export const updateSending = (input: SendingChange) => api.put<Sending>('/api/v1/sending', input);

/** PUT /api/v1/sending (only the fields given change) */
export function useUpdateSending(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateSending,
    onSuccess: (data) => queryClient.setQueryData(sendingQueryKey(orgId), data),
    onSettled: () => queryClient.invalidateQueries({ queryKey: sendingQueryKey(orgId), exact: true }),
  });
}
