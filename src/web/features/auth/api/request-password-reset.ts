import { useMutation } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';

export type RequestPasswordResetInput = Body<'/api/auth/request-password-reset', 'post'>;

export const requestPasswordReset = (input: RequestPasswordResetInput) =>
  api.post<unknown>('/api/auth/request-password-reset', input);

/** POST /api/auth/request-password-reset — answers the same whether or not the address exists. */
export function useRequestPasswordReset() {
  return useMutation({ mutationFn: requestPasswordReset });
}
