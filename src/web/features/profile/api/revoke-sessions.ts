import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api';

export const revokeSessions = () => api.post<unknown>('/api/auth/revoke-sessions', {});

/** POST /api/auth/revoke-sessions — signs out everywhere, this browser included. */
export function useRevokeSessions() {
  return useMutation({ mutationFn: revokeSessions });
}
