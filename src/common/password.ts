/**
 * The password policy, shared by the server (route schemas and better-auth) and the web forms,
 * so the two can never disagree. The server also refuses the most common passwords
 * (server/lib/common-passwords.ts: a list too large for the web bundle; the forms show its error).
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export const WHITESPACE_PASSWORD_MESSAGE = 'Use some letters, digits or symbols, not only spaces.';

/** True for a password made of nothing but spaces, tabs or line breaks (any Unicode white space). */
export function isBlankPassword(password: string): boolean {
  return password.trim().length === 0;
}

/** What is wrong with a new password, as a sentence for a form ("Use at least 8 characters."), or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (isBlankPassword(password)) return WHITESPACE_PASSWORD_MESSAGE;
  return undefined;
}

/** The hint shown under a new-password field. */
export const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters, not a common password.`;
