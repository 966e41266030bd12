import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { tagsQueryKey } from './list-tags';

export const createTag = (input: Body<'/api/v1/tags', 'post'>) =>
  api.post<Res<'/api/v1/tags', 'post'>>('/api/v1/tags', input);

/** POST /api/v1/tags — 409 when the name exists. */
export function useCreateTag(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTag,
    onSettled: () => queryClient.invalidateQueries({ queryKey: tagsQueryKey(orgId) }),
  });
}
