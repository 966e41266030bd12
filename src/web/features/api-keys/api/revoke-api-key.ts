import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { apiKeysQueryKey } from './list-api-keys';

export const revokeApiKey = ({ id }: { id: string }) =>
  api.delete(`/api/v1/api-keys/${encodeURIComponent(id)}`);

/** DELETE /api/v1/api-keys/{id}: revokes the key (it stays listed as revoked). */
export function useRevokeApiKey(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeApiKey,
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiKeysQueryKey(orgId) }),
  });
}
