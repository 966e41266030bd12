import { useMutation } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';

export type SignUpInput = Body<'/api/auth/sign-up/email', 'post'>;

export const signUp = (input: SignUpInput) => api.post<unknown>('/api/auth/sign-up/email', input);

/** POST /api/auth/sign-up/email — creates the account; no session until the email is verified. */
export function useSignUp() {
  return useMutation({ mutationFn: signUp });
}
