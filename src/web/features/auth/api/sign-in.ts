import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';

export type SignInInput = Body<'/api/auth/sign-in/email', 'post'>;

export const signIn = (input: SignInInput) => api.post<unknown>('/api/auth/sign-in/email', input);

/** POST /api/auth/sign-in/email — sets the session cookie. Clears any data cached while signed out. */
export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signIn,
    onSuccess: () => queryClient.clear(),
  });
}
