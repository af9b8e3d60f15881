// SQL injection payloads in every field an attacker controls: login username and password,
// register username, email and full name, the order's symbol and client_order_id, the market
// path and query, and the order list's filters. SUCCEEDED when any payload gets a 5xx or no
// answer, or the pg_sleep payload an answer slower than SLOW_MS (time-based injection); when a
// login with an injected username
// or password succeeds; or when an injected symbol resolves to a stock or an order (2xx).
// A 201 for a register whose full name holds a payload is harmless: the text is stored as data.

import { isAccepted, outcomeLabel, type Outcome } from '../attacker.ts';
import { newAccount, randomUsername, register, strongPassword } from '../accounts.ts';
import { restingBuy } from '../orders.ts';
import type { Scenario } from '../scenario.ts';

const SLOW_MS = 2_500;

const PAYLOADS = [
  "' OR '1'='1",
  "' OR 1=1--",
  "admin'--",
  '" OR ""="',
  "'; DROP TABLE users;--",
  "' UNION SELECT NULL,NULL,NULL--",
  "1' AND (SELECT count(*) FROM sqlite_master) > 0--",
  "'||(SELECT version())||'",
  '1; SELECT pg_sleep(3)--',
  'TCS--',
] as const;

type Judge = (outcome: Outcome, payload: string) => boolean;

const broken: Judge = (o, payload) =>
  o.kind === 'silent' ||
  (o.kind === 'reply' && (o.status >= 500 || (payload.includes('sleep') && o.ms >= SLOW_MS)));
const brokenOrAccepted: Judge = (o, payload) => broken(o, payload) || isAccepted(o);

export const sqlInjection: Scenario = {
  name: 'sql-injection',
  async run({ attacker, tally }) {
    const victim = await register(attacker);
    const account = await newAccount(attacker);
    const order = await restingBuy(attacker);
    const hits: string[] = [];

    const probes: { field: string; judge: Judge; send: (p: string) => Promise<Outcome> }[] = [
      {
        field: 'register username',
        judge: broken,
        send: (p) => {
          const name = randomUsername();
          return attacker.send('POST', '/api/auth/register', {
            json: {
              username: p,
              email: `${name}@example.com`,
              password: strongPassword(),
              full_name: 'Probe',
            },
          });
        },
      },
      {
        field: 'register email',
        judge: broken,
        send: (p) =>
          attacker.send('POST', '/api/auth/register', {
            json: {
              username: randomUsername(),
              email: `${p}@example.com`,
              password: strongPassword(),
              full_name: 'Probe',
            },
          }),
      },
      {
        field: 'register full_name',
        judge: broken,
        send: (p) => {
          const name = randomUsername();
          return attacker.send('POST', '/api/auth/register', {
            json: {
              username: name,
              email: `${name}@example.com`,
              password: strongPassword(),
              full_name: p,
            },
          });
        },
      },
      {
        field: 'order symbol',
        judge: brokenOrAccepted,
        send: (p) =>
          attacker.send('POST', '/api/trading/order', {
            token: account.token,
            json: { ...order, symbol: p },
          }),
      },
      {
        field: 'order client_order_id',
        judge: broken,
        send: (p) =>
          attacker.send('POST', '/api/trading/order', {
            token: account.token,
            json: { ...order, client_order_id: p },
          }),
      },
      {
        field: 'market path',
        judge: brokenOrAccepted,
        send: (p) => attacker.send('GET', `/api/market/stock/${encodeURIComponent(p)}`),
      },
      {
        field: 'market query',
        judge: broken,
        send: (p) =>
          attacker.send('GET', `/api/market/stock/TCS/orderbook?depth=${encodeURIComponent(p)}`),
      },
      {
        field: 'orders filter',
        judge: broken,
        send: (p) =>
          attacker.send(
            'GET',
            `/api/trading/orders?symbol=${encodeURIComponent(p)}&status=${encodeURIComponent(p)}`,
            { token: account.token },
          ),
      },
      // Logins last: the login limit (per address) may refuse them, and should not hide the rest.
      {
        field: 'login username',
        judge: brokenOrAccepted,
        send: (p) =>
          attacker.send('POST', '/api/auth/login', {
            json: { username: p, password: strongPassword() },
          }),
      },
      {
        field: 'login password',
        judge: brokenOrAccepted,
        send: (p) =>
          attacker.send('POST', '/api/auth/login', {
            json: { username: victim.username, password: p },
          }),
      },
    ];

    for (const probe of probes) {
      for (const payload of PAYLOADS) {
        if (attacker.spent) break;
        const outcome = tally.record(await probe.send(payload));
        if (probe.judge(outcome, payload)) {
          hits.push(
            `${probe.field} ${JSON.stringify(payload)}: ${outcomeLabel(outcome)} in ${outcome.ms} ms`,
          );
        }
      }
    }
    const notes = [`${PAYLOADS.length} payloads x ${probes.length} fields`];
    if (tally.accepted > 0) notes.push(`${tally.accepted} accepted as plain data`);
    if (hits.length > 0) notes.unshift(`injection effect: ${hits.slice(0, 5).join(', ')}`);
    return { succeeded: hits.length > 0, notes };
  },
};
