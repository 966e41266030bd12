import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';

export interface Tag {
  id: string;
  name: string;
  color: string;
  contactCount: number;
}

export const tagsQueryKey = (orgId: string) => ['orgs', orgId, 'tags'] as const;

export const tagsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: tagsQueryKey(orgId),
    queryFn: ({ signal }) => api.get<{ items: Tag[] }>('/api/v1/tags', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/tags */
export function useTags(orgId: string) {
  return useQuery(tagsQueryOptions(orgId));
}
