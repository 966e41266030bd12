import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Segment, segmentsQueryKey } from './list-segments';

export const updateSegment = ({ id, ...input }: Body<'/api/v1/segments/{id}', 'patch'> & { id: string }) =>
  api.patch<Segment>(`/api/v1/segments/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/segments/{id} */
export function useUpdateSegment(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateSegment,
    // The list holds the conditions the contacts screen shows: update it before the refetch lands.
    onSuccess: (segment) =>
      queryClient.setQueryData<{ items: Segment[] }>(segmentsQueryKey(orgId), (old) =>
        old ? { items: old.items.map((s) => (s.id === segment.id ? segment : s)) } : old,
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: segmentsQueryKey(orgId) }),
  });
}
