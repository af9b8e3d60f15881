// What a gateway and the leader say to each other: a command in an envelope (request id,
// deadline), and the leader's answer, each authenticated by HMAC-SHA256 over its direction, its
// timestamp and its exact body. Only a node holding the cluster key can send either.

import { Type, type Static } from 'typebox';
import { hmacSha256, verifyHmacSha256 } from '../crypto/index.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { Symbol } from '../http/schemas/trading.ts';
import type { Answer, Command } from './commands.ts';

export const COMMANDS_PATH = '/internal/v1/commands';
export const MAC_HEADER = 'x-cluster-mac';
export const TIME_HEADER = 'x-cluster-time';

/**
 * The key of the internal endpoint, derived from the master key. Every node of a cluster holds
 * the master key already (the shared database's sealed fields open with nothing else), so this
 * adds no secret to distribute or to leave at a default, and HKDF keeps it independent of the
 * master key and of every other derived key.
 */
export function clusterKey(keyring: Keyring): Buffer {
  return keyring.derivedKey('cluster-commands');
}

/** How far a message's timestamp may be from the receiver's clock (the nodes run NTP). */
export const MAX_CLOCK_SKEW_MS = 30_000;

export interface Envelope {
  /** Names the command in both nodes' logs; the leader answers a repeat with the first answer. */
  requestId: string;
  /** The node that forwarded it. */
  origin: string;
  /** Epoch milliseconds after which the leader must not start the command. */
  deadline: number;
  command: Command;
}

export type Reply =
  | { status: 'done'; requestId: string; answer: Answer<unknown> }
  /** This node does not lead: re-read the leader and send it there. Nothing was done. */
  | { status: 'not-leader'; requestId: string };

type Direction = 'command' | 'answer';

function message(direction: Direction, time: string, body: string): Buffer {
  return Buffer.from(`${direction}\n${time}\n${body}`, 'utf8');
}

/** The headers that authenticate `body`, sent at `now`. */
export function sign(
  key: Uint8Array,
  direction: Direction,
  body: string,
  now: number,
): Record<string, string> {
  const time = String(now);
  return {
    [TIME_HEADER]: time,
    [MAC_HEADER]: hmacSha256(key, message(direction, time, body)).toString('base64url'),
  };
}

export type MacCheck = 'ok' | 'missing' | 'stale' | 'invalid';

/** Whether `body` came, recently, from a holder of `key`; compares in constant time. */
export function verify(
  key: Uint8Array,
  direction: Direction,
  body: string,
  headers: { time: unknown; mac: unknown },
  now: number,
): MacCheck {
  const { time, mac } = headers;
  if (typeof time !== 'string' || typeof mac !== 'string') return 'missing';
  if (!/^\d{1,16}$/.test(time) || Math.abs(now - Number(time)) > MAX_CLOCK_SKEW_MS) return 'stale';
  const tag = Buffer.from(mac, 'base64url');
  return verifyHmacSha256(key, message(direction, time, body), tag) ? 'ok' : 'invalid';
}

// --- the envelope's schema, checked by the leader after the MAC -------------------------------

const Id = Type.Integer({ minimum: 1 });
const Amount = Type.Integer({ minimum: 1 });
const closed = { additionalProperties: false } as const;

const OrderRequestSchema = Type.Object(
  {
    symbol: Symbol,
    side: Type.Union([Type.Literal('BUY'), Type.Literal('SELL')]),
    mode: Type.Union([
      Type.Literal('MARKET'),
      Type.Literal('LIMIT'),
      Type.Literal('STOP_LOSS'),
      Type.Literal('STOP_LIMIT'),
    ]),
    quantity: Amount,
    price: Type.Optional(Amount),
    stopPrice: Type.Optional(Amount),
    timeInForce: Type.Optional(
      Type.Union([
        Type.Literal('GTC'),
        Type.Literal('IOC'),
        Type.Literal('FOK'),
        Type.Literal('DAY'),
      ]),
    ),
    postOnly: Type.Optional(Type.Boolean()),
    clientOrderId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    selfTrade: Type.Optional(
      Type.Union([
        Type.Literal('CANCEL_NEWEST'),
        Type.Literal('CANCEL_OLDEST'),
        Type.Literal('CANCEL_BOTH'),
      ]),
    ),
  },
  closed,
);

const CommandSchema = Type.Union([
  Type.Object({ kind: Type.Literal('place'), userId: Id, order: OrderRequestSchema }, closed),
  Type.Object({ kind: Type.Literal('cancel'), userId: Id, orderId: Id }, closed),
  Type.Object(
    {
      kind: Type.Literal('amend'),
      userId: Id,
      orderId: Id,
      amend: Type.Object(
        {
          quantity: Type.Optional(Amount),
          price: Type.Optional(Amount),
          stopPrice: Type.Optional(Amount),
        },
        closed,
      ),
    },
    closed,
  ),
  Type.Object(
    {
      kind: Type.Literal('adjust'),
      admin: Id,
      userId: Id,
      asset: Type.Union([Type.Literal('INR'), Symbol]),
      amount: Type.Integer({ not: { const: 0 } }),
      reason: Type.String({ minLength: 1, maxLength: 200 }),
    },
    closed,
  ),
  Type.Object(
    {
      kind: Type.Literal('set-status'),
      admin: Id,
      symbol: Symbol,
      status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('HALTED')]),
    },
    closed,
  ),
  Type.Object(
    { kind: Type.Literal('open-account'), userId: Id, cash: Type.Integer({ minimum: 0 }) },
    closed,
  ),
]);

export const EnvelopeSchema = Type.Object(
  {
    requestId: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }),
    origin: Type.String({ minLength: 1, maxLength: 128 }),
    deadline: Type.Integer({ minimum: 0 }),
    command: CommandSchema,
  },
  closed,
);

// The schema and the Command type describe one thing; the compiler holds them together.
type SchemaCommand = Static<typeof CommandSchema>;
export const commandMatchesSchema = (c: SchemaCommand): Command => c;

export const ReplySchema = Type.Union([
  Type.Object({
    status: Type.Literal('done'),
    requestId: Type.String(),
    answer: Type.Unknown(),
  }),
  Type.Object({ status: Type.Literal('not-leader'), requestId: Type.String() }),
]);
