// Broken object-level authorization: user A places an order; user B, with its own valid token
// and its own API key, reads, cancels and amends it by id. SUCCEEDED when any of B's requests
// gets a 2xx. The expected answer is 404 (another user's order does not exist for B).

import { signRequest } from '../../api-client.ts';
import { isAccepted, outcomeLabel } from '../attacker.ts';
import { expectAccepted, newAccount, newApiKey } from '../accounts.ts';
import { placeOrder, restingBuy } from '../orders.ts';
import type { Scenario } from '../scenario.ts';

export const bola: Scenario = {
  name: 'bola',
  async run({ attacker, tally }) {
    const alice = await newAccount(attacker);
    const bob = await newAccount(attacker);
    const bobKey = await newApiKey(attacker, bob, ['read', 'trade']);
    const orderId = await placeOrder(attacker, alice.token, await restingBuy(attacker));
    const path = `/api/trading/order/${orderId}`;

    const attempts: [string, () => ReturnType<typeof attacker.send>][] = [
      ['GET with B token', () => attacker.send('GET', path, { token: bob.token })],
      [
        'PATCH with B token',
        () => attacker.send('PATCH', path, { token: bob.token, json: { quantity: 2 } }),
      ],
      [
        'GET with B API key',
        () =>
          attacker.send('GET', path, {
            headers: signRequest(bobKey, { method: 'GET', url: path }),
          }),
      ],
      ['DELETE with B token', () => attacker.send('DELETE', path, { token: bob.token })],
      [
        'DELETE with B API key',
        () =>
          attacker.send('DELETE', path, {
            headers: signRequest(bobKey, { method: 'DELETE', url: path }),
          }),
      ],
    ];
    const reached: string[] = [];
    for (const [label, send] of attempts) {
      if (attacker.spent) break;
      const outcome = tally.record(await send());
      if (isAccepted(outcome)) reached.push(`${label}: ${outcomeLabel(outcome)}`);
    }

    const after = expectAccepted(
      "A reads A's order",
      await attacker.send('GET', path, { token: alice.token }),
    );
    const status = typeof after.status === 'string' ? after.status : 'unknown';
    return {
      succeeded: reached.length > 0,
      notes: [
        reached.length > 0
          ? `B reached A's order ${orderId}: ${reached.join(', ')}`
          : `B could not read, amend or cancel A's order ${orderId}`,
        `A's order afterwards: ${status}`,
      ],
    };
  },
};
