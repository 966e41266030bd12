import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';

export interface SignInInput {
  email: string;
  password: string;
}

export const signIn = (input: SignInInput) => api.post<unknown>('/api/auth/sign-in/email', input);

/** POST /api/auth/sign-in/email — sets the session cookie. Clears any data cached while signed out. */
export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signIn,
    onSuccess: () => queryClient.clear(),
  });
}
