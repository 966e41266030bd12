import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { apiKeysQueryKey } from './list-api-keys';

export const moveApiKey = ({ id, ...input }: Body<'/api/v1/api-keys/{id}', 'patch'> & { id: string }) =>
  api.patch<Res<'/api/v1/api-keys/{id}', 'patch'>>(`/api/v1/api-keys/${encodeURIComponent(id)}`, input);

/**
 * PATCH /api/v1/api-keys/{id} { ownerId }: the key now belongs to that member (a user id), so it keeps
 * working while they are in the organisation. 400 when they are not a member, 404 for a revoked key.
 */
export function useMoveApiKey(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: moveApiKey,
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiKeysQueryKey(orgId) }),
  });
}
