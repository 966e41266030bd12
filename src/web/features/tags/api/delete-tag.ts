import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { tagsQueryKey } from './list-tags';

export const deleteTag = ({ id }: { id: string }) => api.delete(`/api/v1/tags/${encodeURIComponent(id)}`);

/** DELETE /api/v1/tags/{id} (removes the tag from every contact) */
export function useDeleteTag(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteTag,
    onSettled: () => queryClient.invalidateQueries({ queryKey: tagsQueryKey(orgId) }),
  });
}
