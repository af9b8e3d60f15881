// Credential stuffing: 30 leaked-looking username/password pairs from one client, mostly for
// accounts that do not exist, two guesses at `admin`, and in the middle the real pair of a victim
// this tool registered. BLOCKED when any attempt is 403/429 (or the connection is closed), else
// DETECTED. SUCCEEDED when any login other than the victim's real pair succeeds.

import { randomBytes } from 'node:crypto';
import { isAccepted } from '../attacker.ts';
import { randomUsername, register } from '../accounts.ts';
import type { Scenario } from '../scenario.ts';

export const PAIRS = 30;

export const credentialStuffing: Scenario = {
  name: 'credential-stuffing',
  async run({ attacker, tally }) {
    const victim = await register(attacker);
    const pairs: { username: string; password: string; real: boolean }[] = [
      { username: 'admin', password: 'admin123', real: false },
      { username: 'admin', password: 'Admin@12345', real: false },
    ];
    while (pairs.length < PAIRS - 1) {
      pairs.push({
        username: randomUsername(),
        password: `${randomBytes(4).toString('hex')}Pass!`,
        real: false,
      });
    }
    pairs.splice(PAIRS / 2, 0, {
      username: victim.username,
      password: victim.password,
      real: true,
    });

    const broken: string[] = [];
    let realPair = 'not tried';
    for (const pair of pairs) {
      if (attacker.spent) break;
      const outcome = tally.record(
        await attacker.send('POST', '/api/auth/login', {
          json: { username: pair.username, password: pair.password },
        }),
      );
      if (pair.real) realPair = isAccepted(outcome) ? 'accepted' : 'refused';
      else if (isAccepted(outcome)) broken.push(pair.username);
    }
    const notes = [
      `the victim's real pair (attempt ${PAIRS / 2 + 1}) was ${realPair}`,
      tally.firstBlockedAt === null
        ? 'never limited'
        : `limited from attempt ${tally.firstBlockedAt}`,
    ];
    if (broken.length > 0) notes.unshift(`guessed logins succeeded for: ${broken.join(', ')}`);
    return { succeeded: broken.length > 0, notes };
  },
};
