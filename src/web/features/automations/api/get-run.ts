import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { automationKey, type RunDetail, runKey } from './types';

export const runQueryOptions = (orgId: string, runId: string) =>
  queryOptions({
    queryKey: runKey(orgId, runId),
    queryFn: ({ signal }) => api.get<RunDetail>(`/api/v1/runs/${encodeURIComponent(runId)}`, { signal }),
  });

/** GET /api/v1/runs/{id}: every step with its state, outcome and timestamps; polled while open. */
export function useRun(orgId: string, runId: string) {
  return useQuery({
    ...runQueryOptions(orgId, runId),
    refetchInterval: (query) => {
      const state = query.state.data?.state;
      return state === 'active' ? 2_000 : state === 'waiting' ? 15_000 : false;
    },
  });
}

export type RunAction = 'cancel' | 'retry';

export const runAction = ({ runId, action }: { runId: string; action: RunAction }) =>
  api.post<RunDetail>(`/api/v1/runs/${encodeURIComponent(runId)}/${action}`);

/** POST /api/v1/runs/{id}/cancel (open runs) | retry (failed runs) */
export function useRunAction(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: runAction,
    onSuccess: (run) => {
      queryClient.setQueryData(runKey(orgId, run.id), run);
      void queryClient.invalidateQueries({ queryKey: automationKey(orgId, run.automationId) });
    },
  });
}
