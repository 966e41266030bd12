import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { contactsKey } from './types';

export const listContactsQueryOptions = (orgId: string, search: string, limit = 10) =>
  queryOptions({
    queryKey: [...contactsKey(orgId), 'list', { search, limit }] as const,
    queryFn: ({ signal }) =>
      api.get<Res<'/api/v1/contacts', 'get'>>(
        `/api/v1/contacts?${new URLSearchParams({ search, limit: String(limit) }).toString()}`,
        { signal },
      ),
  });

/** GET /api/v1/contacts?search= (first page only: used by pickers) */
export function useListContacts(orgId: string, search: string, options: { enabled?: boolean } = {}) {
  return useQuery({ ...listContactsQueryOptions(orgId, search), enabled: options.enabled ?? true });
}
