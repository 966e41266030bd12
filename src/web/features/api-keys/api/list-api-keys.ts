import type { ApiKeyScope } from '@common/contacts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scope: ApiKeyScope;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdByName: string | null;
}

export const apiKeysQueryKey = (orgId: string) => ['orgs', orgId, 'api-keys'] as const;

export const apiKeysQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: apiKeysQueryKey(orgId),
    queryFn: ({ signal }) => api.get<{ items: ApiKey[] }>('/api/v1/api-keys', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/api-keys (admins and owners only: `enabled` false for others) */
export function useApiKeys(orgId: string, enabled = true) {
  return useQuery({ ...apiKeysQueryOptions(orgId), enabled });
}
