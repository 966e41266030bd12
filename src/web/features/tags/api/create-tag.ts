import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Tag, tagsQueryKey } from './list-tags';

export const createTag = (input: { name: string; color?: string }) => api.post<Tag>('/api/v1/tags', input);

/** POST /api/v1/tags — 409 when the name exists. */
export function useCreateTag(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTag,
    onSettled: () => queryClient.invalidateQueries({ queryKey: tagsQueryKey(orgId) }),
  });
}
