import { useMutation } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';

export type ChangePasswordInput = Body<'/api/auth/change-password', 'post'>;

export const changePassword = (input: ChangePasswordInput) =>
  api.post<unknown>('/api/auth/change-password', input);

/** POST /api/auth/change-password — the server also signs out every other session. */
export function useChangePassword() {
  return useMutation({ mutationFn: changePassword });
}
