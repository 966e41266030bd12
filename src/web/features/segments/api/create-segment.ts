import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Segment, segmentsQueryKey } from './list-segments';

export const createSegment = (input: Body<'/api/v1/segments', 'post'>) =>
  api.post<Segment>('/api/v1/segments', input);

/** POST /api/v1/segments */
export function useCreateSegment(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createSegment,
    onSettled: () => queryClient.invalidateQueries({ queryKey: segmentsQueryKey(orgId) }),
  });
}
