// Nonce exhaustion: one API key sends signed requests, each with a fresh nonce, until the server
// refuses it or the budget is spent; then a second account's key sends one signed request from
// another client address. The replay cache is partitioned per key, so filling one key's share
// must cost nobody else anything. SUCCEEDED when the second account's request is refused (a 503,
// or any refusal from an address the flood did not use); BLOCKED when the flooding key was
// limited and the second account was still accepted.

import { signRequest, type SigningKey } from '../../api-client.ts';
import { Attacker, isAccepted, isBlocked, outcomeLabel, type Outcome } from '../attacker.ts';
import { newAccount, newApiKey } from '../accounts.ts';
import type { Scenario } from '../scenario.ts';

const PATH = '/api/auth/me';

const signedMe = (attacker: Attacker, key: SigningKey): Promise<Outcome> =>
  attacker.send('GET', PATH, { headers: signRequest(key, { method: 'GET', url: PATH }) });

export const nonceExhaustion: Scenario = {
  name: 'nonce-exhaustion',
  async run({ attacker, tally }) {
    const flooder = await newApiKey(attacker, await newAccount(attacker), ['read']);
    const bystander = await newApiKey(attacker, await newAccount(attacker), ['read']);

    let refused: Outcome | undefined;
    let accepted = 0;
    while (!attacker.spent && refused === undefined) {
      const outcome = tally.record(await signedMe(attacker, flooder));
      if (isAccepted(outcome)) accepted += 1;
      else refused = outcome;
    }

    // The second account calls from the default address, as a bot elsewhere would; where this
    // machine gives every scenario the default address too, its address limit is shared.
    const other = new Attacker(attacker.base, { requests: 1, ms: 5_000 });
    const probe = tally.record(await signedMe(other, bystander));
    other.close();
    const sameAddress = attacker.source === undefined;
    const addressLimited =
      sameAddress &&
      probe.kind === 'reply' &&
      probe.status === 429 &&
      probe.code === 'RATE_LIMITED';
    const harmed = !isAccepted(probe) && !addressLimited;

    const flood =
      refused === undefined
        ? `the flooding key was never refused in ${accepted} signed requests`
        : `the flooding key was ${isBlocked(refused) ? 'limited' : 'refused'} after ${accepted} signed requests: ${outcomeLabel(refused)}`;
    const second = harmed
      ? `a second account's signed request was refused: ${outcomeLabel(probe)}`
      : addressLimited
        ? "a second account's signed request hit the shared address's rate limit (not the replay cache)"
        : "a second account's signed request was accepted";
    return { succeeded: harmed, notes: [flood, second] };
  },
};
