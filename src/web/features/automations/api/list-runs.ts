import type { RunState } from '@common/automations';
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { automationKey, type RunsPage } from './types';

const PAGE = 50;

export const runsQueryOptions = (orgId: string, id: string, state: RunState | undefined) =>
  infiniteQueryOptions({
    queryKey: [...automationKey(orgId, id), 'runs', { state: state ?? null }] as const,
    queryFn: ({ signal, pageParam }) => {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (state) q.set('state', state);
      if (pageParam) q.set('cursor', pageParam);
      return api.get<RunsPage>(`/api/v1/automations/${encodeURIComponent(id)}/runs?${q}`, { signal });
    },
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

/** GET /api/v1/automations/{id}/runs?state=&cursor= ("Load more" follows the cursor). */
export function useAutomationRuns(orgId: string, id: string, state: RunState | undefined) {
  return useInfiniteQuery(runsQueryOptions(orgId, id, state));
}
