import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

type TagList = Res<'/api/v1/tags', 'get'>;
export type Tag = ItemOf<TagList>;

export const tagsQueryKey = (orgId: string) => ['orgs', orgId, 'tags'] as const;

export const tagsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: tagsQueryKey(orgId),
    queryFn: ({ signal }) => api.get<TagList>('/api/v1/tags', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/tags */
export function useTags(orgId: string) {
  return useQuery(tagsQueryOptions(orgId));
}
