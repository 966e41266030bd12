import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Tag, tagsQueryKey } from './list-tags';

export const updateTag = ({ id, ...input }: { id: string; name?: string; color?: string }) =>
  api.patch<Tag>(`/api/v1/tags/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/tags/{id} */
export function useUpdateTag(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateTag,
    onSettled: () => queryClient.invalidateQueries({ queryKey: tagsQueryKey(orgId) }),
  });
}
