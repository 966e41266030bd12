import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type AutomationVersion, type AutomationVersionDetail, automationKey } from './types';

export const versionsQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: [...automationKey(orgId, id), 'versions'] as const,
    queryFn: ({ signal }) =>
      api.get<{ items: AutomationVersion[] }>(`/api/v1/automations/${encodeURIComponent(id)}/versions`, {
        signal,
      }),
    select: (data) => data.items,
  });

/** GET /api/v1/automations/{id}/versions */
export function useAutomationVersions(orgId: string, id: string) {
  return useQuery(versionsQueryOptions(orgId, id));
}

/** GET /api/v1/automations/{id}/versions/{version}: an older graph, shown read-only. */
export function useAutomationVersion(orgId: string, id: string, version: number | null) {
  return useQuery({
    queryKey: [...automationKey(orgId, id), 'versions', version] as const,
    queryFn: ({ signal }) =>
      api.get<AutomationVersionDetail>(`/api/v1/automations/${encodeURIComponent(id)}/versions/${version}`, {
        signal,
      }),
    enabled: version !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
