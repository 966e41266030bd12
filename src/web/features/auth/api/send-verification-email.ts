import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api';

export interface SendVerificationEmailInput {
  email: string;
  callbackURL: string;
}

export const sendVerificationEmail = (input: SendVerificationEmailInput) =>
  api.post<unknown>('/api/auth/send-verification-email', input);

/** POST /api/auth/send-verification-email — sends a fresh verification link. */
export function useSendVerificationEmail() {
  return useMutation({ mutationFn: sendVerificationEmail });
}
