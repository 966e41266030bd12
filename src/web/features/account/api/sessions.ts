import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

export type AccountSession = ItemOf<Res<'/api/v1/account/sessions', 'get'>>;

const key = ['account', 'sessions'] as const;

export const sessionsQueryOptions = () =>
  queryOptions({
    queryKey: key,
    queryFn: ({ signal }) =>
      api.get<Res<'/api/v1/account/sessions', 'get'>>('/api/v1/account/sessions', { signal }),
  });

/** GET /api/v1/account/sessions */
export function useSessions() {
  return useQuery(sessionsQueryOptions());
}

/** DELETE /api/v1/account/sessions/:id */
export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/account/sessions/${id}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
}

/** POST /api/v1/account/sessions/revoke-others */
export function useRevokeOtherSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      api.post<Res<'/api/v1/account/sessions/revoke-others', 'post'>>(
        '/api/v1/account/sessions/revoke-others',
        {},
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
}
