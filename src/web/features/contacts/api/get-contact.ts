import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Contact, contactDetailKey } from './types';

export const contactQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: contactDetailKey(orgId, id),
    queryFn: ({ signal }) => api.get<Contact>(`/api/v1/contacts/${encodeURIComponent(id)}`, { signal }),
  });

/** GET /api/v1/contacts/{id} */
export function useContact(orgId: string, id: string) {
  return useQuery(contactQueryOptions(orgId, id));
}
