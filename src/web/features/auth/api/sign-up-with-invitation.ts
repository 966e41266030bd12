import { useMutation } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';

export type InvitationSignUpInput = Body<'/api/auth/sign-up/invitation', 'post'>;

export const signUpWithInvitation = (input: InvitationSignUpInput) =>
  api.post<unknown>('/api/auth/sign-up/invitation', input);

/**
 * POST /api/auth/sign-up/invitation — the account is for the invited address (verified by the link),
 * joins the organisation and is signed in. 409 when the address already has an account, 410 when the
 * invitation is no longer valid.
 */
export function useSignUpWithInvitation() {
  return useMutation({ mutationFn: signUpWithInvitation });
}
