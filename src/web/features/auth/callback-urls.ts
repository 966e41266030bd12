import { passwordProblem } from '@common/password';

/** Where the email verification link lands; keeps a pending `redirect` so invitations survive sign-up. */
export function verificationCallbackUrl(redirect?: string): string {
  return redirect ? `/sign-in?verified=1&redirect=${encodeURIComponent(redirect)}` : '/sign-in?verified=1';
}

/** Where the password reset link lands. */
export const PASSWORD_RESET_REDIRECT = '/reset-password';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateEmail(value: string): string | undefined {
  if (!value.trim()) return 'Enter your email address.';
  if (!EMAIL_RE.test(value.trim())) return 'Enter a valid email address, like name@company.com.';
  return undefined;
}

/** The shared password policy (src/common/password.ts), as the server applies it. */
export const validateNewPassword = passwordProblem;
