import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { companiesKey } from './types';

type CompaniesPage = Res<'/api/v1/companies', 'get'>;

export const COMPANIES_PAGE_SIZE = 50;

const path = (params: { search?: string; sort?: string; cursor?: string | null; limit: number }) => {
  const q = new URLSearchParams({ limit: String(params.limit) });
  if (params.search) q.set('search', params.search);
  if (params.sort) q.set('sort', params.sort);
  if (params.cursor) q.set('cursor', params.cursor);
  return `/api/v1/companies?${q.toString()}`;
};

export const companiesQueryOptions = (orgId: string, params: { search?: string; sort?: string }) =>
  infiniteQueryOptions({
    queryKey: [...companiesKey(orgId), 'list', params] as const,
    queryFn: ({ pageParam, signal }) =>
      api.get<CompaniesPage>(path({ ...params, cursor: pageParam, limit: COMPANIES_PAGE_SIZE }), { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

/** GET /api/v1/companies, keyset pages. */
export function useCompanies(orgId: string, params: { search?: string; sort?: string }) {
  return useInfiniteQuery({ ...companiesQueryOptions(orgId, params), placeholderData: keepPreviousData });
}

/** GET /api/v1/companies?search=&limit=10: suggestions for the company picker. */
export function useCompanySuggestions(orgId: string, search: string, enabled: boolean) {
  return useQuery({
    queryKey: [...companiesKey(orgId), 'suggest', search] as const,
    queryFn: ({ signal }) => api.get<CompaniesPage>(path({ search, sort: 'name', limit: 10 }), { signal }),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}
