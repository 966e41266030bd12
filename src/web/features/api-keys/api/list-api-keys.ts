import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

type ApiKeyList = Res<'/api/v1/api-keys', 'get'>;

/**
 * An API key. `ownerId` is the user id of the member it belongs to (`createdByName` their name): the
 * key works only while that member is in the organisation. Null once their account is gone.
 */
export type ApiKey = ItemOf<ApiKeyList>;

export const apiKeysQueryKey = (orgId: string) => ['orgs', orgId, 'api-keys'] as const;

export const apiKeysQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: apiKeysQueryKey(orgId),
    queryFn: ({ signal }) => api.get<ApiKeyList>('/api/v1/api-keys', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/api-keys (admins and owners only: `enabled` false for others) */
export function useApiKeys(orgId: string, enabled = true) {
  return useQuery({ ...apiKeysQueryOptions(orgId), enabled });
}
