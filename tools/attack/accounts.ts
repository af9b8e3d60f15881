// The attacker's own accounts and keys, made fresh on every run: random `rt_` usernames, strong
// random passwords, ECDSA P-256 key pairs. Setup requests are not attack attempts; when one is
// refused the scenario stops with SetupRefused.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { SigningKey } from '../api-client.ts';
import { isAccepted, outcomeLabel, type Attacker, type Outcome } from './attacker.ts';

/** A setup step (register, sign in, register a key) did not get a 2xx. */
export class SetupRefused extends Error {
  constructor(
    readonly step: string,
    readonly outcome: Outcome,
  ) {
    super(`${step} answered ${outcomeLabel(outcome)}`);
    this.name = 'SetupRefused';
  }
}

export interface Credentials {
  username: string;
  password: string;
  email: string;
  full_name: string;
}

export interface Account extends Credentials {
  userId: number;
  token: string;
}

/** `rt_` and 12 hex digits: unique per run, within the 32-character username limit. */
export function randomUsername(): string {
  return `rt_${randomBytes(6).toString('hex')}`;
}

/** 24 random base64url characters: not in any list, never containing the username. */
export function strongPassword(): string {
  return randomBytes(18).toString('base64url');
}

export function newCredentials(): Credentials {
  const username = randomUsername();
  return {
    username,
    password: strongPassword(),
    email: `${username}@example.com`,
    full_name: 'Red Team Probe',
  };
}

/** The reply body of a 2xx, or SetupRefused. */
export function expectAccepted(step: string, outcome: Outcome): Record<string, unknown> {
  if (!isAccepted(outcome)) throw new SetupRefused(step, outcome);
  const body = outcome.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

export async function register(
  attacker: Attacker,
  credentials: Credentials = newCredentials(),
): Promise<Credentials & { userId: number }> {
  const body = expectAccepted(
    'register',
    await attacker.send('POST', '/api/auth/register', { json: credentials }),
  );
  return { ...credentials, userId: Number(body.user_id) };
}

export async function signIn(
  attacker: Attacker,
  username: string,
  password: string,
): Promise<string> {
  const body = expectAccepted(
    'login',
    await attacker.send('POST', '/api/auth/login', { json: { username, password } }),
  );
  if (typeof body.access_token !== 'string') {
    throw new SetupRefused('login (no access token: MFA?)', {
      kind: 'reply',
      status: 200,
      code: undefined,
      body,
      ms: 0,
    });
  }
  return body.access_token;
}

/** Registers a fresh account and signs it in. */
export async function newAccount(attacker: Attacker): Promise<Account> {
  const created = await register(attacker);
  return { ...created, token: await signIn(attacker, created.username, created.password) };
}

/** A fresh P-256 key pair and the body that registers its public half (without the password). */
export function newKeyPair(scopes: ('read' | 'trade')[]): {
  key: Omit<SigningKey, 'keyId'>;
  body: { label: string; public_key: string; scopes: ('read' | 'trade')[] };
} {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    key: { privateKey: pair.privateKey },
    body: { label: 'red team', public_key: publicKey, scopes },
  };
}

/** Registers a new key for the account, giving its password again as the exchange requires. */
export async function newApiKey(
  attacker: Attacker,
  account: Pick<Account, 'token' | 'password'>,
  scopes: ('read' | 'trade')[],
): Promise<SigningKey> {
  const { key, body } = newKeyPair(scopes);
  const reply = expectAccepted(
    'register API key',
    await attacker.send('POST', '/api/auth/api-keys', {
      token: account.token,
      json: { ...body, password: account.password },
    }),
  );
  return { keyId: String(reply.id), ...key };
}
