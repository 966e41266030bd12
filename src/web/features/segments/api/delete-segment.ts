import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { segmentsQueryKey } from './list-segments';

export const deleteSegment = ({ id }: { id: string }) =>
  api.delete(`/api/v1/segments/${encodeURIComponent(id)}`);

/** DELETE /api/v1/segments/{id} */
export function useDeleteSegment(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteSegment,
    onSettled: () => queryClient.invalidateQueries({ queryKey: segmentsQueryKey(orgId) }),
  });
}
