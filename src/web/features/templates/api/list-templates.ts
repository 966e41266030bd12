import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

export type TemplateSummary = ItemOf<Res<'/api/v1/templates', 'get'>>;

export const templatesQueryKey = (orgId: string) => ['orgs', orgId, 'templates'] as const;

export const templatesQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: templatesQueryKey(orgId),
    queryFn: ({ signal }) => api.get<Res<'/api/v1/templates', 'get'>>('/api/v1/templates', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/templates (newest first) */
export function useTemplates(orgId: string) {
  return useQuery(templatesQueryOptions(orgId));
}
