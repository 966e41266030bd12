import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { tagsQueryKey } from './list-tags';

export const mergeTag = ({ id, intoId }: { id: string; intoId: string }) =>
  api.post<unknown>(`/api/v1/tags/${encodeURIComponent(id)}/merge`, { intoId });

/** POST /api/v1/tags/{id}/merge — this tag's contacts get `intoId`; this tag is deleted. */
export function useMergeTag(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: mergeTag,
    onSettled: () => queryClient.invalidateQueries({ queryKey: tagsQueryKey(orgId) }),
  });
}
