// Man in the middle on signed API-key requests: each request is signed, then changed in flight
// (more shares in the body, another symbol, another order id in the path, a bigger query, another
// method) and sent with the original signature and a nonce never used before. SUCCEEDED when any
// altered request gets past authentication: any answer other than 401, 403, 429 or a closed
// connection (a 2xx would be a forged order or cancel).

import { signRequest, type SigningKey } from '../../api-client.ts';
import { outcomeLabel, passedAuthentication, type Attacker } from '../attacker.ts';
import { expectAccepted, newAccount, newApiKey } from '../accounts.ts';
import { restingBuy } from '../orders.ts';
import type { Scenario } from '../scenario.ts';

interface Alteration {
  label: string;
  signed: { method: string; url: string; body?: string };
  sent: { method: string; url: string; body?: string };
}

async function placeSigned(attacker: Attacker, key: SigningKey, body: string): Promise<number> {
  const headers = signRequest(key, { method: 'POST', url: '/api/trading/order', body });
  const reply = expectAccepted(
    'signed POST /api/trading/order',
    await attacker.send('POST', '/api/trading/order', { headers, raw: body }),
  );
  return Number(reply.order_id);
}

export const mitm: Scenario = {
  name: 'mitm',
  async run({ attacker, tally }) {
    const account = await newAccount(attacker);
    const key = await newApiKey(attacker, account, ['read', 'trade']);
    const order = await restingBuy(attacker);
    const original = JSON.stringify(order);
    // The control: unaltered signed orders are accepted, so a refusal below is the alteration's.
    const first = await placeSigned(attacker, key, original);
    const second = await placeSigned(attacker, key, original);

    const alterations: Alteration[] = [
      {
        label: 'body quantity 1 -> 50',
        signed: { method: 'POST', url: '/api/trading/order', body: original },
        sent: {
          method: 'POST',
          url: '/api/trading/order',
          body: JSON.stringify({ ...order, quantity: 50 }),
        },
      },
      {
        label: 'body symbol changed',
        signed: { method: 'POST', url: '/api/trading/order', body: original },
        sent: {
          method: 'POST',
          url: '/api/trading/order',
          body: JSON.stringify({ ...order, symbol: 'INFY' }),
        },
      },
      {
        label: 'path: cancel of one order sent to another',
        signed: { method: 'DELETE', url: `/api/trading/order/${first}` },
        sent: { method: 'DELETE', url: `/api/trading/order/${second}` },
      },
      {
        label: 'query limit=1 -> limit=500',
        signed: { method: 'GET', url: '/api/trading/orders?limit=1' },
        sent: { method: 'GET', url: '/api/trading/orders?limit=500' },
      },
      {
        label: 'method GET -> DELETE',
        signed: { method: 'GET', url: `/api/trading/order/${first}` },
        sent: { method: 'DELETE', url: `/api/trading/order/${first}` },
      },
    ];

    const passed: string[] = [];
    for (const alteration of alterations) {
      if (attacker.spent) break;
      const headers = signRequest(key, alteration.signed);
      const { method, url, body } = alteration.sent;
      const outcome = tally.record(
        await attacker.send(method, url, { headers, ...(body === undefined ? {} : { raw: body }) }),
      );
      if (passedAuthentication(outcome))
        passed.push(`${alteration.label}: ${outcomeLabel(outcome)}`);
    }
    return {
      succeeded: passed.length > 0,
      notes:
        passed.length > 0
          ? [`altered request got past the signature check: ${passed.join(', ')}`]
          : [`unaltered signed orders accepted; ${alterations.length} alterations refused`],
    };
  },
};
