// A small signing client for trading bots. Each request carries X-API-Key, X-Timestamp,
// X-Nonce and X-Signature: base64 ECDSA P-256 (P1363) over
//   METHOD \n PATH?QUERY \n TIMESTAMP \n NONCE \n hex(SHA-256(body))
//
// Usage:
//   node --import tsx tools/api-client.ts keygen bot.pem      # writes bot.pem, prints the public key
//   API_KEY=ak_... API_PRIVATE_KEY=bot.pem node --import tsx tools/api-client.ts GET /api/auth/me
//   ... tools/api-client.ts POST /api/trading/order '{"symbol":"TCS",...}'
// API_URL is the exchange's address; it defaults to the local server's, http://127.0.0.1:8000.

import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where `npm start` listens unless HOST, PORT or TLS say otherwise. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8000';

/** The exchange's address from the environment (API_URL), or the local server's. */
export function apiUrl(env: Record<string, string | undefined>): URL {
  const text = env.API_URL === undefined || env.API_URL === '' ? DEFAULT_API_URL : env.API_URL;
  if (!URL.canParse(text)) {
    throw new Error(
      `API_URL must be the exchange's address, such as ${DEFAULT_API_URL} (got ${JSON.stringify(text)})`,
    );
  }
  return new URL(text);
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

/** The headers that authenticate one request. `url` is the path and query exactly as sent. */
export function signRequest(
  key: SigningKey,
  request: { method: string; url: string; body?: string },
  options: { now?: number; nonce?: string } = {},
): Record<string, string> {
  const timestamp = String(Math.floor((options.now ?? Date.now()) / 1000));
  const nonce = options.nonce ?? randomBytes(18).toString('base64url');
  const bodyHash = createHash('sha256')
    .update(request.body ?? '')
    .digest('hex');
  const message = `${request.method.toUpperCase()}\n${request.url}\n${timestamp}\n${nonce}\n${bodyHash}`;
  const signature = sign('sha256', Buffer.from(message, 'utf8'), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return {
    'x-api-key': key.keyId,
    'x-timestamp': timestamp,
    'x-nonce': nonce,
    'x-signature': signature.toString('base64'),
  };
}

/** Sends a signed request and returns the status and the parsed JSON reply. */
export async function signedFetch(
  baseUrl: string | URL,
  key: SigningKey,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = signRequest(key, {
    method,
    url,
    ...(text === undefined ? {} : { body: text }),
  });
  if (text !== undefined) headers['content-type'] = 'application/json';
  const target = new URL(url, baseUrl);
  let res: Response;
  try {
    res = await fetch(target, {
      method,
      headers,
      ...(text === undefined ? {} : { body: text }),
    });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND...) is its cause.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = (cause as { code?: unknown }).code;
    const why =
      typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `cannot reach the exchange at ${target.origin} (${why}): is it running (npm start)? Set API_URL to its address if it is elsewhere`,
      { cause: error },
    );
  }
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/json')) {
    throw new Error(
      `${target.origin} answered ${res.status} with ${type || 'no content type'}, not the exchange's JSON: is API_URL the exchange's address?`,
    );
  }
  return { status: res.status, body: await res.json() };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'keygen') {
    const out = rest[0] ?? 'api-key.pem';
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(out, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
      flag: 'wx',
    });
    process.stdout.write(`private key written to ${out} (keep it secret)\n`);
    process.stdout.write(
      'register this public key with POST /api/auth/api-keys, with your password (and "code" if MFA is on):\n',
    );
    process.stdout.write(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    return 0;
  }
  const [path, body] = rest;
  const keyId = process.env.API_KEY;
  const keyFile = process.env.API_PRIVATE_KEY;
  if (command === undefined || path === undefined || keyId === undefined || keyFile === undefined) {
    process.stderr.write(
      `usage: [API_URL=${DEFAULT_API_URL}] API_KEY=ak_... API_PRIVATE_KEY=key.pem api-client METHOD PATH [JSON]\n`,
    );
    return 2;
  }
  const key = { keyId, privateKey: createPrivateKey(readFileSync(keyFile)) };
  const result = await signedFetch(
    apiUrl(process.env),
    key,
    command,
    path,
    body === undefined ? undefined : (JSON.parse(body) as unknown),
  );
  process.stdout.write(`${result.status}\n${JSON.stringify(result.body, null, 2)}\n`);
  return result.status < 400 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
