import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { suppressionsQueryKey } from './list-suppressions';

export const removeSuppression = ({ id, reason }: { id: string; reason: string }) =>
  api.delete(`/api/v1/suppressions/${encodeURIComponent(id)}`, { body: { reason } });

/** DELETE /api/v1/suppressions/{id} with the reason (the entry stays as history) */
export function useRemoveSuppression(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeSuppression,
    onSettled: () => queryClient.invalidateQueries({ queryKey: suppressionsQueryKey(orgId) }),
  });
}
