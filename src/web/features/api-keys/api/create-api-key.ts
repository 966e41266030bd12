import type { ApiKeyScope } from '@common/contacts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type ApiKey, apiKeysQueryKey } from './list-api-keys';

/** The created key; `key` is the secret, returned this once only. */
export type CreatedApiKey = ApiKey & { key: string };

export const createApiKey = (input: { name: string; scope: ApiKeyScope }) =>
  api.post<CreatedApiKey>('/api/v1/api-keys', input);

/** POST /api/v1/api-keys */
export function useCreateApiKey(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createApiKey,
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiKeysQueryKey(orgId) }),
  });
}
