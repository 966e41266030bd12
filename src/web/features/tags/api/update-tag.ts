import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { tagsQueryKey } from './list-tags';

export const updateTag = ({ id, ...input }: Body<'/api/v1/tags/{id}', 'patch'> & { id: string }) =>
  api.patch<Res<'/api/v1/tags/{id}', 'patch'>>(`/api/v1/tags/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/tags/{id} */
export function useUpdateTag(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateTag,
    onSettled: () => queryClient.invalidateQueries({ queryKey: tagsQueryKey(orgId) }),
  });
}
