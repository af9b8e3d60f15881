// What clients may send over the WebSocket channels, parsed at the edge: anything that is not
// one of these messages, exactly, is refused with a reason and changes nothing.

import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { INTERVAL_NAMES, type Interval } from '../../market/candles.ts';
import { describeSchemaErrors } from '../schema-errors.ts';
import { Symbol } from '../schemas/trading.ts';

/** Close codes the server uses; 4xxx are this application's own (4401 mirrors HTTP 401). */
export const CLOSE = {
  /** Binary frames: the protocol is JSON text. */
  UNSUPPORTED: 1003,
  /** A policy was broken: the client reads too slowly or sends too much. */
  POLICY: 1008,
  /** The server failed (not the client's fault). */
  INTERNAL_ERROR: 1011,
  /** Too many connections: try again later. */
  TRY_AGAIN_LATER: 1013,
  /** No, late or bad authentication, or the session ended. */
  UNAUTHENTICATED: 4401,
  /** Authenticated, but not allowed (must change the password first; not an administrator). */
  FORBIDDEN: 4403,
} as const;

export const MARKET_CHANNELS = ['ticker', 'book', 'trades', 'candles'] as const;
export type MarketChannel = (typeof MARKET_CHANNELS)[number];

export const MAX_SYMBOLS_PER_MESSAGE = 20;
export const DEFAULT_DEPTH = 20;
export const MAX_DEPTH = 500;
export const DEFAULT_INTERVAL: Interval = '1m';
/** How long a private channel waits for the `auth` message before closing. */
export const AUTH_TIMEOUT_MS = 10_000;
/** Frames larger than this close the connection (1009): client messages are small. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** The subprotocol a client may offer beside `bearer.<token>`, so the answer does not echo it. */
export const SUBPROTOCOL = 'exchange.v1';
const BEARER = 'bearer.';

/**
 * The subprotocol to answer with: ours if offered, else the bearer one (a browser fails the
 * handshake unless the answer is one it offered), else none.
 */
export function chooseSubprotocol(offered: ReadonlySet<string>): string | false {
  if (offered.has(SUBPROTOCOL)) return SUBPROTOCOL;
  for (const protocol of offered) if (protocol.startsWith(BEARER)) return protocol;
  return false;
}

/** The access token offered as the `bearer.<token>` subprotocol, if any. */
export function subprotocolToken(header: string | string[] | undefined): string | undefined {
  const offered = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  const bearer = offered.map((p) => p.trim()).find((p) => p.startsWith(BEARER));
  const token = bearer?.slice(BEARER.length);
  return token === undefined || token === '' ? undefined : token;
}

/** Tokens in a URL end up in access logs and browser history: such a request is refused. */
export function hasTokenInUrl(url: string): boolean {
  const query = url.indexOf('?');
  if (query < 0) return false;
  const params = new URLSearchParams(url.slice(query + 1));
  return ['token', 'access_token', 'accessToken', 'auth', 'jwt'].some((name) => params.has(name));
}

const closed = { additionalProperties: false } as const;

const Subscription = Type.Object(
  {
    op: Type.Union([Type.Literal('subscribe'), Type.Literal('unsubscribe')]),
    symbols: Type.Array(Symbol, { minItems: 1, maxItems: MAX_SYMBOLS_PER_MESSAGE }),
    channels: Type.Array(Type.Union(MARKET_CHANNELS.map((c) => Type.Literal(c))), {
      minItems: 1,
      maxItems: MARKET_CHANNELS.length,
    }),
    depth: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DEPTH })),
    interval: Type.Optional(Type.Union(INTERVAL_NAMES.map((i) => Type.Literal(i)))),
  },
  closed,
);

const Ping = Type.Object({ op: Type.Literal('ping') }, closed);

const Auth = Type.Object(
  {
    op: Type.Literal('auth'),
    token: Type.String({ minLength: 1, maxLength: 4096, pattern: '^[A-Za-z0-9._~+/=-]+$' }),
  },
  closed,
);

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
/** Event types one `filter` may name. */
export const MAX_FILTER_TYPES = 50;

const Filter = Type.Object(
  {
    op: Type.Literal('filter'),
    severities: Type.Optional(
      Type.Array(Type.Union(SEVERITIES.map((s) => Type.Literal(s))), {
        maxItems: SEVERITIES.length,
      }),
    ),
    types: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z_]+$', minLength: 1, maxLength: 64 }), {
        maxItems: MAX_FILTER_TYPES,
      }),
    ),
  },
  closed,
);

/** What `Subscription` admits (written out: TypeBox cannot infer a union built from a list). */
export interface SubscriptionRequest {
  op: 'subscribe' | 'unsubscribe';
  symbols: string[];
  channels: MarketChannel[];
  depth?: number | undefined;
  interval?: Interval | undefined;
}
export type MarketRequest = SubscriptionRequest | { op: 'ping' };
export type PrivateRequest = { op: 'auth'; token: string } | { op: 'ping' };
/** Narrows the live security feed; an absent list lets everything through on that axis. */
export interface FilterRequest {
  op: 'filter';
  severities?: (typeof SEVERITIES)[number][] | undefined;
  types?: string[] | undefined;
}
export type SecurityRequest = PrivateRequest | FilterRequest;

export type Parsed<T> = { ok: true; request: T } | { ok: false; message: string };

const validators = {
  subscribe: Compile(Subscription),
  unsubscribe: Compile(Subscription),
  ping: Compile(Ping),
  auth: Compile(Auth),
  filter: Compile(Filter),
};
type Op = keyof typeof validators;

function reject(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function parse(text: string, allowed: readonly Op[]): Parsed<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return reject('messages are JSON objects');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return reject('messages are JSON objects');
  const op = (value as { op?: unknown }).op;
  if (typeof op !== 'string' || !(allowed as readonly string[]).includes(op))
    return reject(`op must be one of: ${allowed.join(', ')}`);
  const validator = validators[op as Op];
  if (!validator.Check(value))
    return reject(describeSchemaErrors(validator.Errors(value), '').message);
  return { ok: true, request: value };
}

export function parseMarketRequest(text: string): Parsed<MarketRequest> {
  return parse(text, ['subscribe', 'unsubscribe', 'ping']) as Parsed<MarketRequest>;
}

export function parsePrivateRequest(text: string): Parsed<PrivateRequest> {
  return parse(text, ['auth', 'ping']) as Parsed<PrivateRequest>;
}

export function parseSecurityRequest(text: string): Parsed<SecurityRequest> {
  return parse(text, ['auth', 'ping', 'filter']) as Parsed<SecurityRequest>;
}
