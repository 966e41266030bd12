import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';

/** Two-factor sign-in of the signed-in user (better-auth's twoFactor plugin behind /api/auth/two-factor/*). */
export type AccountSecurity = Res<'/api/v1/account/security', 'get'>;
export type EnableResult = Res<'/api/auth/two-factor/enable', 'post'>;

export const accountSecurityQueryOptions = () =>
  queryOptions({
    queryKey: ['account', 'security'] as const,
    queryFn: ({ signal }) => api.get<AccountSecurity>('/api/v1/account/security', { signal }),
  });

/** GET /api/v1/account/security */
export function useAccountSecurity() {
  return useQuery(accountSecurityQueryOptions());
}

/** POST /api/auth/two-factor/enable — needs the password; answers the otpauth:// link and recovery codes. */
export function useStartTwoFactor() {
  return useMutation({
    mutationFn: (password: string) => api.post<EnableResult>('/api/auth/two-factor/enable', { password }),
  });
}

/** POST /api/auth/two-factor/verify-totp with a session: the first code turns two-factor sign-in on. */
export function useConfirmTwoFactor() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => api.post<unknown>('/api/auth/two-factor/verify-totp', { code }),
    // The organisation may have been closed to this user until now: refetch everything.
    onSuccess: () => queryClient.invalidateQueries(),
  });
}

/** POST /api/auth/two-factor/disable — needs the password. */
export function useDisableTwoFactor() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => api.post<unknown>('/api/auth/two-factor/disable', { password }),
    onSuccess: () => queryClient.invalidateQueries(),
  });
}

/** POST /api/auth/two-factor/generate-backup-codes — needs the password; the old codes stop working. */
export function useRegenerateRecoveryCodes() {
  return useMutation({
    mutationFn: (password: string) =>
      api.post<Res<'/api/auth/two-factor/generate-backup-codes', 'post'>>(
        '/api/auth/two-factor/generate-backup-codes',
        { password },
      ),
  });
}

/** The second sign-in step (the challenge cookie from the password step goes along). */
export const verifySignInCode = (kind: 'totp' | 'recovery', code: string) =>
  api.post<unknown>(
    kind === 'totp' ? '/api/auth/two-factor/verify-totp' : '/api/auth/two-factor/verify-backup-code',
    { code },
  );

/** The base32 secret inside an otpauth:// link (for typing it into an app by hand). */
export function secretOfUri(uri: string): string {
  try {
    return new URL(uri).searchParams.get('secret') ?? '';
  } catch {
    return '';
  }
}
