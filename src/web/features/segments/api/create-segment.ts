import type { FilterNode } from '@common/filters';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Segment, segmentsQueryKey } from './list-segments';

export const createSegment = (input: { name: string; filter: FilterNode }) =>
  api.post<Segment>('/api/v1/segments', input);

/** POST /api/v1/segments */
export function useCreateSegment(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createSegment,
    onSettled: () => queryClient.invalidateQueries({ queryKey: segmentsQueryKey(orgId) }),
  });
}
