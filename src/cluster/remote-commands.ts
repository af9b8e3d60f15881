// The gateway's side of forwarding: every command goes to the leader the lease names (run here when
// this node leads) and is answered only with the leader's answer, given after its journal commit.
// A command is sent with a request id and a deadline of now + CLUSTER_COMMAND_TTL_MS; past the
// deadline the leader refuses it and the gateway stops waiting, so nothing is placed late.
//
// Retries stop at the deadline and never run a command twice:
// - Not sent (connection refused), or sent to a node that does not lead: nothing happened, so the
//   gateway re-reads the leader and sends it again.
// - Sent, no answer (timeout, connection reset): the outcome is unknown. Sent again to the same
//   leader in the same epoch, the request id gets the first answer (see intake.ts). Sent to
//   another leader, only a place with a client_order_id is safe, because the exchange answers a
//   known (user, client_order_id) with its order; anything else answers 503 "could not confirm".
//   The gateway does not invent a client_order_id for orders without one: the user would see an id
//   they never chose, and it could collide with one they choose later.

import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { refusal, type AnswerOf, type Command, type TradingCommands } from './commands.ts';
import type { ClusterView, LeaderInfo } from './role.ts';
import {
  COMMANDS_PATH,
  MAC_HEADER,
  TIME_HEADER,
  sign,
  verify,
  type Envelope,
  type Reply,
} from './wire.ts';

export interface RemoteOptions {
  cluster: ClusterView;
  /** This node's own sequencer, for the commands that arrive while it leads. */
  local: TradingCommands;
  /** The cluster key (wire.ts clusterKey). */
  key: Uint8Array;
  ttlMs: number;
  now: () => number;
  newRequestId?: () => string;
  /** The HTTP client; node's global fetch (undici, keep-alive) unless a test passes another. */
  fetch?: typeof fetch;
  log?: Logger | undefined;
}

/** What one attempt at the leader came to. */
type Attempt =
  | { kind: 'answered'; reply: Reply }
  /** Nothing reached a sequencer: safe to send again. */
  | { kind: 'not-sent'; why: string }
  /** Sent; whether it ran is unknown. */
  | { kind: 'unknown'; why: string }
  /** The leader refused the request itself (a bad MAC or envelope): a misconfiguration. */
  | { kind: 'refused'; why: string };

/** Errors from connecting: the request never left this node. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const FIRST_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 500;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** A place that names its client_order_id: the exchange answers a repeat with the first order. */
function safeToRepeat(command: Command): boolean {
  return command.kind === 'place' && command.order.clientOrderId !== undefined;
}

export class RemoteCommands implements TradingCommands {
  private readonly fetch: typeof fetch;
  private readonly newRequestId: () => string;

  constructor(private readonly options: RemoteOptions) {
    this.fetch = options.fetch ?? fetch;
    this.newRequestId = options.newRequestId ?? randomUUID;
  }

  async execute<C extends Command>(command: C): Promise<AnswerOf<C>> {
    const { cluster, now, ttlMs } = this.options;
    const deadline = now() + ttlMs;
    const envelope: Envelope = {
      requestId: this.newRequestId(),
      origin: cluster.nodeId,
      deadline,
      command,
    };
    const body = JSON.stringify(envelope);
    /** Where an attempt went unanswered: only there may an unsafe command be sent again. */
    let uncertain: LeaderInfo | undefined;
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      const leader = cluster.leader();
      const sameTerm =
        uncertain === undefined ||
        (leader?.nodeId === uncertain.nodeId && leader.epoch === uncertain.epoch);
      if (leader !== undefined && !sameTerm && !safeToRepeat(command)) {
        return this.unconfirmed(envelope, 'the leader changed after an unanswered attempt');
      }
      if (leader !== undefined && leader.nodeId === cluster.nodeId) {
        if (cluster.role() === 'leader') return this.options.local.execute(command);
      } else if (leader !== undefined) {
        const attempt = await this.send(leader, body, deadline);
        if (attempt.kind === 'answered') {
          if (attempt.reply.status === 'done') return attempt.reply.answer as AnswerOf<C>;
        } else if (attempt.kind === 'unknown') {
          this.options.log?.warn(
            { requestId: envelope.requestId, why: attempt.why },
            'leader did not answer',
          );
          uncertain = leader;
        } else if (attempt.kind === 'refused') {
          this.options.log?.error(
            { requestId: envelope.requestId, why: attempt.why },
            'leader refused a forwarded command',
          );
          if (uncertain !== undefined) return this.unconfirmed(envelope, attempt.why);
          return refusal(
            'TRADING_UNAVAILABLE',
            'this node cannot pass commands to the exchange leader, so this was not carried out: try again later',
          );
        }
      }
      const left = deadline - now();
      if (left <= 0) return this.unavailable(uncertain, envelope);
      await sleep(Math.min(backoff, left));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private async send(leader: LeaderInfo, body: string, deadline: number): Promise<Attempt> {
    const { key, now } = this.options;
    const left = deadline - now();
    if (left <= 0) return { kind: 'not-sent', why: 'deadline passed' };
    let response: Response;
    try {
      response = await this.fetch(new URL(COMMANDS_PATH, leader.address), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(key, 'command', body, now()) },
        body,
        // The deadline is the command's: past it the leader will not start it, so stop waiting.
        signal: AbortSignal.timeout(left),
      });
    } catch (error) {
      const code = causeCode(error);
      if (code !== undefined && NOT_CONNECTED.has(code)) return { kind: 'not-sent', why: code };
      return { kind: 'unknown', why: code ?? (error as Error).name };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      return { kind: 'unknown', why: `reading the answer: ${(error as Error).name}` };
    }
    // A node that is closing answers 503 before routing: it ran nothing.
    if (response.status === 503) return { kind: 'not-sent', why: 'leader closing' };
    if (response.status >= 400 && response.status < 500)
      return { kind: 'refused', why: `${response.status} ${text.slice(0, 200)}` };
    if (response.status !== 200) return { kind: 'unknown', why: `status ${response.status}` };
    const mac = verify(
      key,
      'answer',
      text,
      {
        time: response.headers.get(TIME_HEADER) ?? undefined,
        mac: response.headers.get(MAC_HEADER) ?? undefined,
      },
      now(),
    );
    if (mac !== 'ok') return { kind: 'unknown', why: `answer MAC ${mac}` };
    return { kind: 'answered', reply: JSON.parse(text) as Reply };
  }

  private unavailable<C extends Command>(
    uncertain: LeaderInfo | undefined,
    envelope: Envelope,
  ): AnswerOf<C> {
    if (uncertain !== undefined) return this.unconfirmed(envelope, 'no answer by the deadline');
    return refusal(
      'TRADING_UNAVAILABLE',
      `no exchange leader answered within ${this.options.ttlMs / 1000} s, so this was not carried out: try again in a few seconds`,
    );
  }

  private unconfirmed<C extends Command>(envelope: Envelope, why: string): AnswerOf<C> {
    this.options.log?.warn({ requestId: envelope.requestId, why }, 'forwarded command unconfirmed');
    return refusal(
      'TRADING_UNAVAILABLE',
      'the exchange leader did not confirm this, so it may or may not have taken effect: check your open orders and balances before you retry (a retry with the same client_order_id cannot place a second order)',
    );
  }
}
