// The brute force again, against a fresh victim, with a different random X-Forwarded-For on
// every guess, as an attacker does to pose as many clients. Compared with brute-force (which must
// run first): SUCCEEDED when brute-force was limited at guess N but this run got at least N
// guesses through with no 403/429 at all, i.e. the header dodged the limit. BLOCKED when any guess
// is 403/429; otherwise DETECTED (brute-force was not limited either, so there was nothing to dodge).

import { randomInt } from 'node:crypto';
import { guess, ownerAfterwards } from './brute-force.ts';
import { register } from '../accounts.ts';
import type { Scenario } from '../scenario.ts';

/** A random address outside private, loopback and multicast ranges. */
function randomPublicIp(): string {
  for (;;) {
    const a = randomInt(1, 224);
    if (a === 10 || a === 127 || a === 172 || a === 192 || a === 169 || a === 100) continue;
    return [a, randomInt(0, 256), randomInt(0, 256), randomInt(1, 255)].join('.');
  }
}

export const forwardedFor: Scenario = {
  name: 'x-forwarded-for',
  async run({ attacker, tally, earlier }) {
    const baseline = earlier.get('brute-force');
    const victim = await register(attacker);
    const accepted = await guess(attacker, tally, victim.username, () => ({
      'x-forwarded-for': randomPublicIp(),
    }));
    const limitedAt = baseline?.firstBlockedAt ?? null;
    const dodged = limitedAt !== null && tally.blocked === 0 && tally.attempts >= limitedAt;
    const rotated =
      tally.firstBlockedAt === null
        ? `none of ${tally.attempts} rotated guesses was limited`
        : `rotated guesses were limited from guess ${tally.firstBlockedAt}`;
    const notes = [
      baseline === undefined
        ? 'brute-force did not run, so there is no baseline to compare with'
        : limitedAt === null
          ? 'brute-force was never limited, so there was no limit to dodge'
          : `brute-force was limited from guess ${limitedAt}; ${rotated}`,
      await ownerAfterwards(attacker, victim.username, victim.password),
    ];
    if (accepted.length > 0) notes.unshift(`wrong password accepted: ${accepted.join(', ')}`);
    return { succeeded: dodged || accepted.length > 0, notes };
  },
};
