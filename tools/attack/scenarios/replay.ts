// Replay of signed API-key requests: the identical headers of an accepted GET /api/auth/me sent
// again, the identical headers and body of an accepted order sent again, and a request signed
// with a timestamp ten minutes old. SUCCEEDED when any of them gets past authentication: any
// answer other than 401, 403, 429 or a closed connection (a replayed order would be a second
// order).

import { signRequest } from '../../api-client.ts';
import { isAccepted, outcomeLabel, passedAuthentication } from '../attacker.ts';
import { expectAccepted, newAccount, newApiKey } from '../accounts.ts';
import { restingBuy } from '../orders.ts';
import type { Scenario } from '../scenario.ts';

export const replay: Scenario = {
  name: 'replay',
  async run({ attacker, tally }) {
    const account = await newAccount(attacker);
    const key = await newApiKey(attacker, account, ['read', 'trade']);
    const got: string[] = [];

    const me = signRequest(key, { method: 'GET', url: '/api/auth/me' });
    expectAccepted(
      'signed GET /api/auth/me',
      await attacker.send('GET', '/api/auth/me', { headers: me }),
    );
    const again = tally.record(await attacker.send('GET', '/api/auth/me', { headers: me }));
    if (passedAuthentication(again)) got.push(`GET /api/auth/me replayed: ${outcomeLabel(again)}`);

    const body = JSON.stringify(await restingBuy(attacker));
    const order = signRequest(key, { method: 'POST', url: '/api/trading/order', body });
    expectAccepted(
      'signed POST /api/trading/order',
      await attacker.send('POST', '/api/trading/order', { headers: order, raw: body }),
    );
    const second = tally.record(
      await attacker.send('POST', '/api/trading/order', { headers: order, raw: body }),
    );
    if (passedAuthentication(second)) {
      got.push(
        `order replayed: ${outcomeLabel(second)}${isAccepted(second) ? ' (a second order was placed)' : ''}`,
      );
    }

    const stale = signRequest(
      key,
      { method: 'GET', url: '/api/auth/me' },
      { now: Date.now() - 600_000 },
    );
    const late = tally.record(await attacker.send('GET', '/api/auth/me', { headers: stale }));
    if (passedAuthentication(late)) got.push(`10-minute-old signature: ${outcomeLabel(late)}`);

    return {
      succeeded: got.length > 0,
      notes:
        got.length > 0
          ? got
          : ['both originals accepted once; every replay and the stale signature refused'],
    };
  },
};
