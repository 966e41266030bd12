import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type AutomationSummary, automationsKey } from './types';

export const automationsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: automationsKey(orgId),
    queryFn: ({ signal }) => api.get<{ items: AutomationSummary[] }>('/api/v1/automations', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/automations (with each one's run counts); refreshed every 15 s while one is active. */
export function useAutomations(orgId: string) {
  return useQuery({
    ...automationsQueryOptions(orgId),
    refetchInterval: (query) => (query.state.data?.items.some((a) => a.status === 'active') ? 15_000 : false),
  });
}
