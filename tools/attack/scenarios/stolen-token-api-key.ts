// A stolen access token made into lasting access (issue 12, finding 5). Holding only a fresh access
// token of its own account, as a thief would, the attacker registers an API key with no password,
// then with three common guesses. Then, as the victim, it registers a key properly, changes the
// password and tries the old key. SUCCEEDED when a key is registered without the password, or a
// key still signs in after the password change. Expected: 400 without the password, 403
// REAUTHENTICATION_FAILED for a guess (BLOCKED), 401 SIGNATURE_INVALID for the old key.

import { signRequest } from '../../api-client.ts';
import { isAccepted, outcomeLabel } from '../attacker.ts';
import { expectAccepted, newAccount, newApiKey, newKeyPair, strongPassword } from '../accounts.ts';
import type { Scenario } from '../scenario.ts';

const GUESSES = ['password', '123456', 'qwerty123'] as const;

export const stolenTokenApiKey: Scenario = {
  name: 'stolen-token-api-key',
  async run({ attacker, tally }) {
    const victim = await newAccount(attacker);
    const attempts: [string, Record<string, unknown>][] = [
      ['no password', {}],
      ...GUESSES.map((guess): [string, Record<string, unknown>] => [
        `password guess ${guess}`,
        { password: guess },
      ]),
    ];
    const registered: string[] = [];
    for (const [label, proof] of attempts) {
      if (attacker.spent) break;
      const outcome = tally.record(
        await attacker.send('POST', '/api/auth/api-keys', {
          token: victim.token,
          json: { ...newKeyPair(['read', 'trade']).body, ...proof },
        }),
      );
      if (isAccepted(outcome)) registered.push(`${label}: ${outcomeLabel(outcome)}`);
    }

    // The victim's own key, then the password change that must end it.
    const key = await newApiKey(attacker, victim, ['read', 'trade']);
    expectAccepted(
      'change the password',
      await attacker.send('POST', '/api/auth/password', {
        token: victim.token,
        json: { current_password: victim.password, new_password: strongPassword() },
      }),
    );
    const after = tally.record(
      await attacker.send('GET', '/api/auth/me', {
        headers: signRequest(key, { method: 'GET', url: '/api/auth/me' }),
      }),
    );
    const outlived = isAccepted(after);

    return {
      succeeded: registered.length > 0 || outlived,
      notes: [
        registered.length > 0
          ? `a token alone registered an API key: ${registered.join(', ')}`
          : `${attempts.length} registrations with the token alone, none accepted`,
        outlived
          ? `the key still signed in after the password change (${outcomeLabel(after)})`
          : `the key was refused after the password change (${outcomeLabel(after)})`,
      ],
    };
  },
};
