import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Automation, automationKey } from './types';

export const automationQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: automationKey(orgId, id),
    queryFn: ({ signal }) => api.get<Automation>(`/api/v1/automations/${encodeURIComponent(id)}`, { signal }),
  });

/** GET /api/v1/automations/{id}: the latest version's graph, its issues and the per-step counts. */
export function useAutomation(orgId: string, id: string) {
  return useQuery({
    ...automationQueryOptions(orgId, id),
    // The step counts move while the workflow runs.
    refetchInterval: (query) => (query.state.data?.status === 'active' ? 10_000 : false),
    // The builder keeps its own draft; a refetch must not look like an edit.
    refetchOnWindowFocus: false,
  });
}
