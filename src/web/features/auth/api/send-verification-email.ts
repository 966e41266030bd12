import { useMutation } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';

export type SendVerificationEmailInput = Body<'/api/auth/send-verification-email', 'post'>;

export const sendVerificationEmail = (input: SendVerificationEmailInput) =>
  api.post<unknown>('/api/auth/send-verification-email', input);

/** POST /api/auth/send-verification-email — sends a fresh verification link. */
export function useSendVerificationEmail() {
  return useMutation({ mutationFn: sendVerificationEmail });
}
