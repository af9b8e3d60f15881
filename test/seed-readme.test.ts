// The original platform's README (../shared/seeds/000_3fab023b60386e52.txt) is the API contract:
// every call it shows, read from the file itself, is sent as written and must succeed with the
// fields its example answer shows. Placeholders are filled in as a reader would: <access_token>
// with the token the login example returned, and values the README copies from an earlier
// example's answer (a proof's hashes into the verify example) with the values actually answered.

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { call, signUp, type Reply } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';
import { Client, type Message } from './support/ws-client.ts';

const SEED = readFileSync(
  new URL('../../shared/seeds/000_3fab023b60386e52.txt', import.meta.url),
  'utf8',
);

type Method = 'GET' | 'POST' | 'DELETE';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Example {
  method: Method;
  /** As the README writes it, `{symbol}` and `?limit=50` included. */
  path: string;
  headers: Record<string, string>;
  body: Json | undefined;
  /** The answer the README shows, if it shows one. */
  shown: Json | undefined;
  /** Where the README shows it (1-based). */
  line: number;
}

/** The README's JSON with its elisions (`[...]`, `{...}`) read as empty. */
function parseShown(text: string): Json {
  return JSON.parse(text.replaceAll('[...]', '[]').replaceAll('{...}', '{}')) as Json;
}

const CALL = /^(GET|POST|DELETE) (\/api\/\S+)$/;

/** The usage guide's blocks: a request line, headers, a blank line, a body, `Response:`, JSON. */
function guideExamples(): Example[] {
  const lines = SEED.split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i - 1]?.startsWith('```')) continue;
    const request = CALL.exec(lines[i] ?? '');
    if (request === null) continue;
    const end = lines.indexOf('```', i);
    const block = lines.slice(i + 1, end);
    const blank = block.indexOf('');
    const headers = Object.fromEntries(
      block.slice(0, blank).map((h) => {
        const at = h.indexOf(':');
        return [h.slice(0, at).toLowerCase(), h.slice(at + 1).trim()];
      }),
    );
    const rest = block.slice(blank + 1).join('\n');
    const [before, after] = rest.split('Response:');
    examples.push({
      method: request[1] as Method,
      path: request[2] ?? '',
      headers,
      body: before?.trim() ? parseShown(before) : undefined,
      shown: after === undefined ? undefined : parseShown(after),
      line: i + 1,
    });
  }
  return examples;
}

/** Every call the README names: the endpoint tables and calls in its prose (troubleshooting). */
function namedCalls(): { method: Method; path: string; line: number }[] {
  const found = new Map<string, { method: Method; path: string; line: number }>();
  SEED.split('\n').forEach((text, i) => {
    const row = /^\| (GET|POST|DELETE) \| `([^`]+)` \|/.exec(text);
    const prose = /\b(GET|POST|DELETE) (\/api\/[\w/{}-]+)$/.exec(text);
    const match = row ?? prose;
    if (match === null) return;
    const key = `${match[1]} ${match[2]}`;
    if (!found.has(key))
      found.set(key, { method: match[1] as Method, path: match[2] ?? '', line: i + 1 });
  });
  return [...found.values()];
}

/** The WebSocket table: each endpoint and the message it shows. */
function socketRows(): { path: string; message: Json; line: number }[] {
  return SEED.split('\n').flatMap((text, i) => {
    const row = /^\| `(\/ws\/\w+)` \| [^|]+ \| `(\{.*\})` \|$/.exec(text);
    return row === null
      ? []
      : [{ path: row[1] ?? '', message: parseShown(row[2] ?? ''), line: i + 1 }];
  });
}

/** Every field the README shows is in the answer; arrays are checked element by element. */
function expectFields(actual: unknown, shown: Json, where: string): void {
  if (Array.isArray(shown)) {
    expect(Array.isArray(actual), `${where} is an array`).toBe(true);
    const template = shown[0];
    if (template === undefined) return;
    expect((actual as unknown[]).length, `${where} has elements to check`).toBeGreaterThan(0);
    (actual as unknown[]).forEach((element, i) =>
      expectFields(element, template, `${where}[${i}]`),
    );
  } else if (shown !== null && typeof shown === 'object') {
    expect(typeof actual === 'object' && actual !== null, `${where} is an object`).toBe(true);
    for (const [key, value] of Object.entries(shown)) {
      expect(actual, `${where} has ${key}`).toHaveProperty([key]);
      expectFields((actual as Record<string, unknown>)[key], value, `${where}.${key}`);
    }
  }
}

/**
 * Values `shown` by earlier examples' answers, mapped to what was actually answered; a later
 * answer showing the same placeholder wins (the proof's root_hash over the build's).
 */
function learn(into: Map<string, unknown>, shown: Json | undefined, actual: unknown): void {
  if (shown === null || shown === undefined || typeof shown !== 'object') return;
  for (const [key, value] of Object.entries(shown)) {
    const got = (actual as Record<string, unknown> | undefined)?.[key];
    if (typeof value === 'string' || (Array.isArray(value) && value.length > 0))
      into.set(JSON.stringify(value), got);
  }
}

function substitute(body: Json, learned: Map<string, unknown>): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => {
      const known = learned.get(JSON.stringify(value));
      return [key, known ?? value];
    }),
  );
}

const factory = storeFactories()[0];
if (factory === undefined) throw new Error('no store factory');

describe('the seed README, replayed', () => {
  let t: TestApp;
  let admin: string;
  let trader: string | undefined;
  let refreshToken: string | undefined;
  let orderId: number | undefined;
  const learned = new Map<string, unknown>();
  const guide = guideExamples();
  const answered = new Map<string, Reply>();

  beforeAll(async () => {
    t = await openTestApp(factory);
    admin = (await signUp(t, 'seedadmin', { admin: true })).token;
    // Someone to trade with, so the README's order fills in part and its portfolio has a holding.
    const seller = await signUp(t, 'seller');
    expect((await t.exchange.venue.exchange.adjust(seller.id, 'AAPL', 5, 'test')).ok).toBe(true);
    const sell = await call(t, 'POST', '/api/trading/order', {
      token: seller.token,
      body: {
        symbol: 'AAPL',
        order_type: 'SELL',
        order_mode: 'LIMIT',
        quantity: 5,
        price: '15000.00',
      },
    });
    expect(sell.status).toBe(201);
    // A failed login, so the security examples have an event to show.
    await call(t, 'POST', '/api/auth/login', {
      body: { username: 'seller', password: 'wrong one!' },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  function headersOf(example: { headers: Record<string, string> }): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(example.headers)) {
      if (value === 'Bearer <access_token>') headers[name] = `Bearer ${trader ?? ''}`;
      else if (value === 'Bearer <admin_token>') headers[name] = `Bearer ${admin}`;
      else headers[name] = value;
    }
    return headers;
  }

  it('finds the examples it replays in the README', () => {
    expect(guide.map((e) => `${e.method} ${e.path}`)).toEqual([
      'POST /api/auth/register',
      'POST /api/auth/login',
      'GET /api/market/stocks',
      'POST /api/trading/order',
      'GET /api/trading/portfolio',
      'POST /api/crypto/merkle/build',
      'POST /api/crypto/merkle/proof',
      'POST /api/crypto/merkle/verify',
      'GET /api/security/status',
      'GET /api/security/events?limit=50',
    ]);
    expect(namedCalls()).toHaveLength(27);
  });

  describe.each(guide)('usage guide, line $line: $method $path', (example) => {
    it('works as written and answers with the fields shown', async () => {
      const body = example.body === undefined ? undefined : substitute(example.body, learned);
      const res = await call(t, example.method, example.path, {
        headers: headersOf(example),
        ...(body === undefined ? {} : { body }),
      });
      answered.set(`${example.method} ${example.path}`, res);
      learn(learned, example.shown, res.body);
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      if (example.shown !== undefined) expectFields(res.body, example.shown, 'answer');
      if (example.path === '/api/auth/login') {
        trader = res.body.access_token as string;
        refreshToken = res.body.refresh_token as string;
      }
      if (example.path === '/api/trading/order') orderId = res.body.order_id as number;
    });
  });

  it('verifies the proof the README builds, and refuses it with another root', async () => {
    const proof = answered.get('POST /api/crypto/merkle/proof')?.body;
    expect(proof).toMatchObject({ leaf: 'tx2', index: 1 });
    const verified = answered.get('POST /api/crypto/merkle/verify')?.body;
    expect(verified).toMatchObject({ valid: true, message: 'Proof verified successfully' });
    const wrong = await call(t, 'POST', '/api/crypto/merkle/verify', {
      token: trader,
      body: { leaf: 'tx2', proof: proof?.proof, root_hash: '00'.repeat(32), index: 1 },
    });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toMatchObject({ valid: false, message: expect.any(String) as string });
  });

  /** What the tables list without an example: the least a client would send. */
  const tableOnly: Record<string, () => { path?: string; body?: unknown; token?: string }> = {
    'POST /api/auth/refresh': () => ({ body: { refresh_token: refreshToken }, token: undefined }),
    'POST /api/auth/logout': () => ({}),
    'GET /api/auth/me': () => ({}),
    'GET /api/market/stock/{symbol}': () => ({ path: '/api/market/stock/AAPL' }),
    'GET /api/trading/orders': () => ({}),
    'DELETE /api/trading/order/{id}': () => ({ path: `/api/trading/order/${orderId ?? 0}` }),
    'GET /api/trading/transactions': () => ({}),
    'POST /api/crypto/encrypt': () => ({ body: { data: 'account 1234' } }),
    'POST /api/crypto/decrypt': () => ({
      body: { ciphertext: answered.get('POST /api/crypto/encrypt')?.body.ciphertext },
    }),
    'POST /api/crypto/sign': () => ({ body: { data: 'order 42' } }),
    'POST /api/crypto/verify': () => ({
      body: { data: 'order 42', signature: answered.get('POST /api/crypto/sign')?.body.signature },
    }),
    'GET /api/crypto/merkle/structure': () => ({}),
    'GET /api/crypto/merkle/integrity': () => ({ token: admin }),
    'GET /api/security/blocked-ips': () => ({ token: admin }),
    'POST /api/security/unblock-ip': () => ({ token: admin, body: { ip: '203.0.113.9' } }),
    'GET /api/security/report': () => ({ token: admin }),
    'DELETE /api/security/blocked-ips': () => ({ token: admin }),
  };

  // Logout last: it ends the session the others use.
  const calls = namedCalls()
    .filter((c) => !guide.some((e) => e.method === c.method && e.path.split('?')[0] === c.path))
    .sort((a, b) => Number(a.path === '/api/auth/logout') - Number(b.path === '/api/auth/logout'));

  describe.each(calls)('endpoint table, line $line: $method $path', (named) => {
    it('answers 2xx', async () => {
      const key = `${named.method} ${named.path}`;
      const make = tableOnly[key];
      expect(make, `a request for ${key}`).toBeDefined();
      if (named.path === '/api/security/unblock-ip') {
        const block = await call(t, 'POST', '/api/security/block-ip', {
          token: admin,
          body: { ip: '203.0.113.9', minutes: 5, reason: 'seed replay' },
        });
        expect(block.status).toBe(200);
      }
      const request = make?.() ?? {};
      const token = 'token' in request ? request.token : trader;
      const res = await call(t, named.method, request.path ?? named.path, {
        ...(token === undefined ? {} : { token }),
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      answered.set(key, res);
    });
  });

  describe('the WebSocket table', () => {
    let port: number | undefined;
    /** Listens once, on a free loopback port, for the socket tests. */
    async function open(path: string): Promise<{ socket: WebSocket; client: Client }> {
      if (port === undefined) {
        await t.app.listen({ port: 0, host: '127.0.0.1' });
        port = (t.app.server.address() as AddressInfo).port;
      }
      const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
      const client = new Client(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      return { socket, client };
    }

    /** A seller's offer of one AAPL, then a buy that takes it; the buyer's order id. */
    async function tradeOne(buyer: string, seller: string, price: string): Promise<number> {
      let id = 0;
      for (const [token, side] of [
        [seller, 'SELL'],
        [buyer, 'BUY'],
      ] as const) {
        const res = await call(t, 'POST', '/api/trading/order', {
          token,
          body: { symbol: 'AAPL', order_type: side, order_mode: 'LIMIT', quantity: 1, price },
        });
        expect(res.status).toBe(201);
        id = res.body.order_id as number;
      }
      return id;
    }

    it('lists the three endpoints', () => {
      expect(socketRows().map((r) => r.path)).toEqual([
        '/ws/market',
        '/ws/orders',
        '/ws/portfolio',
      ]);
    });

    it.each(socketRows().filter((r) => r.path === '/ws/market'))(
      'line $line: $path sends its message to a client that only connects',
      async (row) => {
        const { socket, client } = await open(row.path);
        try {
          const buyer = await signUp(t, 'wsbuyer');
          const seller = await signUp(t, 'wsseller');
          expect((await t.exchange.venue.exchange.adjust(seller.id, 'AAPL', 1, 'test')).ok).toBe(
            true,
          );
          await tradeOne(buyer.token, seller.token, '15100.00');
          const message: Message = await client.next((row.message as { type: string }).type);
          expectFields(message, row.message, 'message');
          expect(message.data).toMatchObject({ symbol: 'AAPL', price: '15100.00' });
        } finally {
          socket.terminate();
        }
      },
    );

    // The README says nothing of signing in; a client signs in with its first message, then
    // only listens.
    it.each(socketRows().filter((r) => r.path !== '/ws/market'))(
      'line $line: $path sends its message to a client that signs in and listens',
      async (row) => {
        const name = row.path.slice('/ws/'.length);
        const buyer = await signUp(t, `ws${name}buyer`);
        const seller = await signUp(t, `ws${name}seller`);
        expect((await t.exchange.venue.exchange.adjust(seller.id, 'AAPL', 1, 'test')).ok).toBe(
          true,
        );
        const { socket, client } = await open(row.path);
        try {
          client.send({ op: 'auth', token: buyer.token });
          await client.next('authenticated');
          const orderId = await tradeOne(buyer.token, seller.token, '15200.00');
          const type = (row.message as { type: string }).type;
          if (row.path === '/ws/orders') {
            const message = await client.next(
              type,
              (m) => (m.data as { status?: string }).status === 'FILLED',
            );
            expectFields(message, row.message, 'message');
            // `data` is the order as the REST API shows it.
            const listed = await call(t, 'GET', '/api/trading/orders', { token: buyer.token });
            const rest = (listed.body.orders as { order_id: number }[]).find(
              (o) => o.order_id === orderId,
            );
            expect(message.data).toEqual(rest);
          } else {
            const message = await client.next(
              type,
              (m) =>
                (m.data as { holdings?: { symbol: string }[] }).holdings?.some(
                  (h) => h.symbol === 'AAPL',
                ) === true,
            );
            expectFields(message, row.message, 'message');
            // `data` has the portfolio's names and, after the trade, its figures.
            const portfolio = (
              await call(t, 'GET', '/api/trading/portfolio', { token: buyer.token })
            ).body as {
              balance: string;
              cash: unknown;
              holdings: { symbol: string; quantity: number; available: number; held: number }[];
            };
            expect(message.data).toEqual({
              balance: portfolio.balance,
              cash: portfolio.cash,
              holdings: portfolio.holdings.map(({ symbol, quantity, available, held }) => ({
                symbol,
                quantity,
                available,
                held,
              })),
            });
            expect(portfolio.holdings).toContainEqual(
              expect.objectContaining({ symbol: 'AAPL', quantity: 1 }),
            );
          }
        } finally {
          socket.terminate();
        }
      },
    );
  });
});
