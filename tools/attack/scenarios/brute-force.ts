// Online password guessing: 50 wrong passwords against one account (a victim this tool registers
// with a strong random password) from one client. Guessing that password is not feasible, so the
// question is whether the guesser is stopped: BLOCKED when any guess is answered 403/429 (or the
// connection is closed), DETECTED when every guess is only refused (401). SUCCEEDED only when a
// wrong password is accepted, which would be a broken password check.

import { randomBytes } from 'node:crypto';
import type { Attacker, Outcome } from '../attacker.ts';
import { isAccepted, outcomeLabel } from '../attacker.ts';
import { register } from '../accounts.ts';
import type { Tally } from '../result.ts';
import type { Scenario } from '../scenario.ts';

export const GUESSES = 50;

const COMMON = [
  'password',
  '123456',
  '12345678',
  'qwerty123',
  'letmein',
  'welcome1',
  'Password1!',
  'iloveyou',
  'admin123',
  'trustno1',
  'monkey123',
  'sunshine',
  'football',
  'Passw0rd',
  'changeme',
  'Summer2024!',
  'P@ssw0rd',
  'qwertyuiop',
  'abc12345',
  'dragon123',
];

/** The guesses: common passwords, then ones built from the username, then random filler. */
export function wrongGuesses(username: string, n: number): string[] {
  const guesses = [...COMMON, `${username}1`, `${username}123`, `${username}!`];
  while (guesses.length < n) guesses.push(randomBytes(6).toString('hex'));
  return guesses.slice(0, n);
}

/**
 * Sends the guesses for `username`, each with the extra headers `headersFor(i)` gives. Returns
 * the guesses that were accepted (there should be none).
 */
export async function guess(
  attacker: Attacker,
  tally: Tally,
  username: string,
  headersFor: (i: number) => Record<string, string> = () => ({}),
): Promise<string[]> {
  const accepted: string[] = [];
  const guesses = wrongGuesses(username, GUESSES);
  for (const [i, password] of guesses.entries()) {
    if (attacker.spent) break;
    const outcome: Outcome = tally.record(
      await attacker.send('POST', '/api/auth/login', {
        json: { username, password },
        headers: headersFor(i),
      }),
    );
    if (isAccepted(outcome)) accepted.push(password);
  }
  return accepted;
}

/** Can the victim still sign in with the real password right after the attack? */
export async function ownerAfterwards(
  attacker: Attacker,
  username: string,
  password: string,
): Promise<string> {
  if (attacker.spent) return 'victim login afterwards: not tried (budget spent)';
  const outcome = await attacker.send('POST', '/api/auth/login', { json: { username, password } });
  return `victim's own login afterwards: ${outcomeLabel(outcome)}`;
}

export const bruteForce: Scenario = {
  name: 'brute-force',
  async run({ attacker, tally }) {
    const victim = await register(attacker);
    const accepted = await guess(attacker, tally, victim.username);
    const notes = [
      tally.firstBlockedAt === null
        ? `no limit in ${tally.attempts} guesses: an online guesser is never slowed down`
        : `limited from guess ${tally.firstBlockedAt}`,
      await ownerAfterwards(attacker, victim.username, victim.password),
    ];
    if (accepted.length > 0) notes.unshift(`wrong password accepted: ${accepted.join(', ')}`);
    return { succeeded: accepted.length > 0, notes };
  },
};
