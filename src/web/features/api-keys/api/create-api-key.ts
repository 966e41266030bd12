import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { apiKeysQueryKey } from './list-api-keys';

/** The created key; `key` is the secret, returned this once only. */
export type CreatedApiKey = Res<'/api/v1/api-keys', 'post'>;

export const createApiKey = (input: Body<'/api/v1/api-keys', 'post'>) =>
  api.post<CreatedApiKey>('/api/v1/api-keys', input);

/** POST /api/v1/api-keys */
export function useCreateApiKey(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createApiKey,
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiKeysQueryKey(orgId) }),
  });
}
