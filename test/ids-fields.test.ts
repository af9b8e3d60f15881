// The IDS by field kind through the HTTP API (issue 13, "the IDS must not refuse honest data"):
// the items a user hashes are reported at most, never refused; names, notes and reasons are
// refused only on high-confidence rules; passwords are never inspected; everything else is
// inspected as before.

import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_ALPHABET } from '../src/defense/ids/corpus/index.ts';
import { call, PASSWORD, signUp, type Reply } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

const factory = storeFactories()[0];
if (factory === undefined) throw new Error('no store factory');

/** Each request from its own address, so the per-address event throttle hides nothing. */
let address = 0;
const nextIp = (): string => {
  address += 1;
  return `198.51.${100 + Math.floor(address / 250)}.${(address % 250) + 1}`;
};

describe('IDS by field kind (IDS_ACTION=reject)', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await openTestApp(factory, { IDS_ACTION: 'reject' });
    token = (await signUp(t, 'hasher')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  const errorCode = (reply: Reply): unknown =>
    (reply.body.error as { code?: unknown } | undefined)?.code;

  async function idsEvents(ip: string): Promise<{ event_type: string; details: unknown }[]> {
    const rows = await t.store.db
      .selectFrom('security_events')
      .select(['event_type', 'details'])
      .where('source_ip', '=', ip)
      .where('event_type', 'like', 'malicious_%')
      .execute();
    return rows.map((row) => ({ ...row, details: JSON.parse(row.details ?? '{}') as unknown }));
  }

  it('builds, proves and checks consistency of trees holding the issue’s item 𝄞中ü-0ß9--', async () => {
    const data = ['𝄞中ü-0ß9--', 'well--done', 'C# -- notes', '---', 'a"--', "admin'--"];
    for (const [path, extra] of [
      ['/api/crypto/merkle/build', {}],
      ['/api/crypto/merkle/proof', { index: 0 }],
      ['/api/crypto/merkle/consistency', { first: 2 }],
    ] as const) {
      const res = await call(t, 'POST', path, {
        token,
        ip: nextIp(),
        body: { data, encoding: 'utf8', ...extra },
      });
      expect(res.status, `${path}: ${res.text}`).toBe(200);
    }
    const verify = await call(t, 'POST', '/api/crypto/merkle/verify', {
      token,
      ip: nextIp(),
      body: {
        leaf: "admin'--",
        encoding: 'utf8',
        index: 0,
        tree_size: 1,
        proof: [],
        root_hash: '0'.repeat(64),
      },
    });
    expect(verify.status, verify.text).toBe(200);
  });

  it('never refuses random items over the issue’s alphabet or all of Unicode as Merkle leaves', async () => {
    const item = fc.oneof(
      fc.string({ unit: fc.constantFrom(...ITEM_ALPHABET), maxLength: 24 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { minLength: 1, maxLength: 300 }),
        fc.boolean(),
        async (data, build) => {
          const res = await call(
            t,
            'POST',
            build ? '/api/crypto/merkle/build' : '/api/crypto/merkle/consistency',
            {
              token,
              ip: nextIp(),
              body: { data, encoding: 'utf8', ...(build ? {} : { first: 1 }) },
            },
          );
          expect(res.status, res.text).toBe(200);
          expect(build ? res.body.leaf_count : res.body.second).toBe(data.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reports an attack among the leaves without refusing it: an event with refused false', async () => {
    const ip = nextIp();
    const res = await call(t, 'POST', '/api/crypto/merkle/build', {
      token,
      ip,
      body: { data: ['ok', "' UNION SELECT password FROM users--"], encoding: 'utf8' },
    });
    expect(res.status).toBe(200);
    expect(await idsEvents(ip)).toEqual([
      {
        event_type: 'malicious_sqli',
        details: expect.objectContaining({
          location: 'body.data[1]',
          field: 'opaque',
          refused: false,
        }) as unknown,
      },
    ]);
  });

  it('refuses free text only on a high-confidence rule; the same text in a structured field is refused', async () => {
    const note = "it's 'cheap' or not -- select the best";
    const ip = nextIp();
    const named = await call(t, 'PATCH', '/api/auth/me', { token, ip, body: { full_name: note } });
    expect(named.status, named.text).toBe(200);
    expect(await idsEvents(ip)).toMatchObject([
      { details: { field: 'free-text', refused: false } },
    ]);
    const asUsername = await call(t, 'POST', '/api/auth/login', {
      ip: nextIp(),
      body: { username: note, password: PASSWORD },
    });
    expect(asUsername.status).toBe(400);
    expect(errorCode(asUsername)).toBe('REQUEST_REJECTED');
    const script = await call(t, 'PATCH', '/api/auth/me', {
      token,
      ip: nextIp(),
      body: { full_name: '<script>alert(1)</script>' },
    });
    expect(script.status).toBe(400);
    expect(errorCode(script)).toBe('REQUEST_REJECTED');
  });

  // Regression: the route's secret fields were declared on GET /api/auth/api-keys, so the POST
  // inspected the password and refused an honest one.
  it('never inspects the password that registers an API key, and treats its label as free text', async () => {
    const password = "<script>' OR 1=1--;cat /etc/passwd ../../";
    const ip = nextIp();
    const owner = await signUp(t, 'odd_key_owner', { password });
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const res = await call(t, 'POST', '/api/auth/api-keys', {
      token: owner.token,
      ip,
      body: {
        label: "O'Brien's bot -- 'paper' or 'live'",
        public_key: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        scopes: ['read'],
        password,
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(await idsEvents(ip)).toEqual([]);
  });
});
