import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api';

export const signOut = () => api.post<unknown>('/api/auth/sign-out', {});

/** POST /api/auth/sign-out. The caller navigates away, then clears the query cache. */
export function useSignOut() {
  return useMutation({ mutationFn: signOut });
}
