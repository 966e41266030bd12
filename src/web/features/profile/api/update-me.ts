import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Me, meQueryKey } from '@/lib/session';

export const updateMe = (input: Body<'/api/v1/me', 'patch'>) => api.patch<Me>('/api/v1/me', input);

/** PATCH /api/v1/me — answers the same shape as GET /me, which replaces the cached session. */
export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateMe,
    onSuccess: (me) => queryClient.setQueryData(meQueryKey, me),
  });
}
