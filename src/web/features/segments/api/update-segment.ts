import type { FilterNode } from '@common/filters';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Segment, segmentsQueryKey } from './list-segments';

export const updateSegment = ({ id, ...input }: { id: string; name?: string; filter?: FilterNode }) =>
  api.patch<Segment>(`/api/v1/segments/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/segments/{id} */
export function useUpdateSegment(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateSegment,
    onSettled: () => queryClient.invalidateQueries({ queryKey: segmentsQueryKey(orgId) }),
  });
}
