import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Suppression, suppressionsQueryKey } from './list-suppressions';

export const addSuppression = (input: Body<'/api/v1/suppressions', 'post'>) =>
  api.post<Suppression>('/api/v1/suppressions', input);

/** POST /api/v1/suppressions (an address already suppressed answers with its existing entry) */
export function useAddSuppression(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addSuppression,
    onSettled: () => queryClient.invalidateQueries({ queryKey: suppressionsQueryKey(orgId) }),
  });
}
