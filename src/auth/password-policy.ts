// NIST SP 800-63B password rules: a minimum length, a generous maximum, no composition rules,
// and a blocklist of common and breached passwords (zxcvbn-ts's list, about 49,000 entries).

import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem =
  | { code: 'TOO_SHORT'; message: string }
  | { code: 'TOO_LONG'; message: string }
  | { code: 'COMMON'; message: string }
  | { code: 'CONTEXT'; message: string };

const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
const SERVICE_WORDS = ['exchange', 'secure stock exchange', 'securestockexchange', 'trading'];

/** NIST asks for Unicode normalization before hashing, so equal passwords hash equally. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in characters (code points), as a person counts them. */
function length(password: string): number {
  return [...password].length;
}

export function checkPassword(
  password: string,
  rules: { minLength: number; username?: string },
): PasswordProblem | undefined {
  const normalized = normalizePassword(password);
  const n = length(normalized);
  if (n < rules.minLength) {
    return {
      code: 'TOO_SHORT',
      message: `password must be at least ${rules.minLength} characters`,
    };
  }
  if (n > PASSWORD_MAX_LENGTH) {
    return {
      code: 'TOO_LONG',
      message: `password must be at most ${PASSWORD_MAX_LENGTH} characters`,
    };
  }
  const lower = normalized.toLowerCase();
  if (COMMON.has(lower)) {
    return {
      code: 'COMMON',
      message: 'this password is too common: it appears in lists of breached passwords',
    };
  }
  if (/^(.)\1*$/u.test(lower)) {
    return { code: 'COMMON', message: 'a password of one repeated character is too easy to guess' };
  }
  // Short usernames are common words ("bob"); only a longer one inside a password is a giveaway.
  const username = rules.username?.toLowerCase();
  const hasUsername =
    username !== undefined &&
    (lower === username || (username.length >= 4 && lower.includes(username)));
  if (hasUsername || SERVICE_WORDS.includes(lower)) {
    return {
      code: 'CONTEXT',
      message: 'password must not contain the username or the name of this service',
    };
  }
  return undefined;
}
