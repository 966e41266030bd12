import { dictionary } from '@zxcvbn-ts/language-common';
import { PASSWORD_MIN_LENGTH } from '../../common/password.js';

/**
 * The most common passwords, refused as new passwords (sign-up, reset, change).
 *
 * Source: the 'passwords-common' dictionary of @zxcvbn-ts/language-common (MIT, the password
 * list zxcvbn-ts rates strength with: ~49,000 passwords seen most often in breaches, in order of
 * frequency). Only the ~18,000 entries long enough to pass the length rule are kept. Compared
 * case-insensitively and trimmed, so "Password1" and " 12345678 " count too.
 *
 * Server-only: the list (~170 kB) is too large for the web bundle; the forms show the server's
 * field error instead (src/common/password.ts keeps the checks both sides share).
 */
const COMMON = new Set(dictionary['passwords-common'].filter((p) => p.length >= PASSWORD_MIN_LENGTH));

export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.trim().toLowerCase());
}

export const COMMON_PASSWORD_MESSAGE =
  'This is one of the most common passwords, the first ones attackers try. Choose one that is harder to guess.';
