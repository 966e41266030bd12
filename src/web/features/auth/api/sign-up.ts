import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api';

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
  ageConfirmed: true;
  /** Where the verification link lands after the server verified the address. */
  callbackURL: string;
}

export const signUp = (input: SignUpInput) => api.post<unknown>('/api/auth/sign-up/email', input);

/** POST /api/auth/sign-up/email — creates the account; no session until the email is verified. */
export function useSignUp() {
  return useMutation({ mutationFn: signUp });
}
