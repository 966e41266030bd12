import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { tagsQueryKey } from './list-tags';

export const mergeTag = ({ id, ...input }: Body<'/api/v1/tags/{id}/merge', 'post'> & { id: string }) =>
  api.post<Res<'/api/v1/tags/{id}/merge', 'post'>>(`/api/v1/tags/${encodeURIComponent(id)}/merge`, input);

/** POST /api/v1/tags/{id}/merge — this tag's contacts get `intoId`; this tag is deleted. */
export function useMergeTag(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: mergeTag,
    onSettled: () => queryClient.invalidateQueries({ queryKey: tagsQueryKey(orgId) }),
  });
}
