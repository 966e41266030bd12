import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { templatesQueryKey } from './list-templates';

export type Template = Res<'/api/v1/templates/{id}', 'get'>;

export const templateQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: [...templatesQueryKey(orgId), id] as const,
    queryFn: ({ signal }) => api.get<Template>(`/api/v1/templates/${encodeURIComponent(id)}`, { signal }),
  });

/** GET /api/v1/templates/{id} */
export function useTemplate(orgId: string, id: string) {
  return useQuery(templateQueryOptions(orgId, id));
}
