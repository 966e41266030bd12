import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sendJson } from './http';
import { suppressionsQueryKey } from './list-suppressions';

export const removeSuppression = ({ id, reason }: { id: string; reason: string }) =>
  sendJson('DELETE', `/api/v1/suppressions/${encodeURIComponent(id)}`, { reason });

/** DELETE /api/v1/suppressions/{id} with the reason (the entry stays as history) */
export function useRemoveSuppression(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeSuppression,
    onSettled: () => queryClient.invalidateQueries({ queryKey: suppressionsQueryKey(orgId) }),
  });
}
