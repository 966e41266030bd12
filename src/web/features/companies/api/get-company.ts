import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Company, companyDetailKey } from './types';

export const companyQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: companyDetailKey(orgId, id),
    queryFn: ({ signal }) => api.get<Company>(`/api/v1/companies/${encodeURIComponent(id)}`, { signal }),
  });

/** GET /api/v1/companies/{id} */
export function useCompany(orgId: string, id: string) {
  return useQuery(companyQueryOptions(orgId, id));
}
