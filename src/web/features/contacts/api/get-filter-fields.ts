import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { contactsKey } from './types';

export const filterFieldsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: [...contactsKey(orgId), 'filter-fields'] as const,
    queryFn: ({ signal }) =>
      api.get<Res<'/api/v1/contacts/filter-fields', 'get'>>('/api/v1/contacts/filter-fields', { signal }),
    select: (data) => data.items,
    staleTime: 60_000,
  });

/** GET /api/v1/contacts/filter-fields: what the filter builder offers. */
export function useFilterFields(orgId: string) {
  return useQuery(filterFieldsQueryOptions(orgId));
}
