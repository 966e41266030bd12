import { useMutation } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';

export type ResetPasswordInput = Body<'/api/auth/reset-password', 'post'>;

export const resetPassword = (input: ResetPasswordInput) =>
  api.post<unknown>('/api/auth/reset-password', input);

/** POST /api/auth/reset-password — sets a new password with the token from the reset email. */
export function useResetPassword() {
  return useMutation({ mutationFn: resetPassword });
}
