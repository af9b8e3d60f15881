// /ws/orders and /ws/portfolio: one user's own order updates or balances. Nothing is sent before
// the client proves who it is with an access token (in the first message, or as the `bearer.`
// subprotocol; never in the URL, where logs keep it), and the session is checked again on every
// heartbeat, so a logout, password change or expired token ends the stream.

import type { FastifyBaseLogger } from 'fastify';
import type { Sessions } from '../../auth/sessions.ts';
import { ApiError } from '../../errors.ts';
import type { Exchange } from '../../exchange/exchange.ts';
import { liveOrderView } from '../../exchange/orders.ts';
import type { Connection } from './connection.ts';
import type { Feed, PrivateStream, Session } from './feed.ts';
import { balanceView, encode, errorMessage, type ServerMessage } from './messages.ts';
import { AUTH_TIMEOUT_MS, CLOSE, parsePrivateRequest } from './protocol.ts';

export interface PrivateDeps {
  feed: Feed;
  sessions: Sessions;
  exchange: Exchange;
  log: FastifyBaseLogger;
  now: () => number;
}

type State =
  | { name: 'waiting' }
  | { name: 'authenticating' }
  | { name: 'open'; userId: number; token: string }
  | { name: 'ended' };

type Outcome = { ok: true; userId: number } | { ok: false; code: number; reason: string };

export class PrivateSession implements Session {
  private state: State = { name: 'waiting' };
  private readonly deadline: NodeJS.Timeout;
  /** A heartbeat's session check is in flight; the next heartbeat does not start another. */
  private checking = false;

  constructor(
    readonly connection: Connection,
    private readonly stream: PrivateStream,
    private readonly deps: PrivateDeps,
    offeredToken: string | undefined,
  ) {
    this.deadline = setTimeout(() => {
      if (this.state.name !== 'open')
        this.connection.close(CLOSE.UNAUTHENTICATED, 'authentication timed out');
    }, AUTH_TIMEOUT_MS);
    this.deadline.unref();
    if (offeredToken !== undefined) void this.open(offeredToken);
  }

  receive(text: string): void {
    const parsed = parsePrivateRequest(text);
    switch (this.state.name) {
      case 'waiting':
        if (!parsed.ok || parsed.request.op !== 'auth') {
          return this.connection.close(
            CLOSE.UNAUTHENTICATED,
            'the first message must be {"op":"auth","token":...}',
          );
        }
        return void this.open(parsed.request.token);
      case 'authenticating':
      case 'ended':
        return; // nothing is answered before the outcome is known
      case 'open':
        if (!parsed.ok) return this.reply(errorMessage(parsed.message));
        if (parsed.request.op === 'ping')
          return this.reply({ type: 'pong', time: new Date(this.deps.now()).toISOString() });
        return void this.renew(parsed.request.token);
    }
  }

  tick(time: string): void {
    if (!this.connection.checkAlive() || this.state.name !== 'open') return;
    this.reply({ type: 'heartbeat', time, sequences: {} });
    void this.recheck(this.state.token);
  }

  end(): void {
    clearTimeout(this.deadline);
    if (this.state.name === 'open')
      this.deps.feed.unwatch(this.stream, this.state.userId, this.connection);
    this.state = { name: 'ended' };
  }

  /** Read through a getter: TypeScript would keep the narrowing from before an await. */
  private get ended(): boolean {
    return this.state.name === 'ended';
  }

  /** The first authentication: on success, the stream starts with a snapshot. */
  private async open(token: string): Promise<void> {
    this.state = { name: 'authenticating' };
    const outcome = await this.authenticate(token);
    if (this.ended) return;
    if (!outcome.ok) return this.connection.close(outcome.code, outcome.reason);
    clearTimeout(this.deadline);
    this.state = { name: 'open', userId: outcome.userId, token };
    // Watch, then snapshot, in one turn: no event can fall between the two.
    this.deps.feed.watch(this.stream, outcome.userId, this.connection);
    this.reply({ type: 'authenticated', user_id: outcome.userId });
    this.reply(this.snapshot(outcome.userId));
  }

  /** A fresh token for the same user, sent before the old one expires. */
  private async renew(token: string): Promise<void> {
    const outcome = await this.authenticate(token);
    if (this.state.name !== 'open') return;
    if (!outcome.ok) return this.connection.close(outcome.code, outcome.reason);
    if (outcome.userId !== this.state.userId)
      return this.connection.close(CLOSE.UNAUTHENTICATED, 'the token is for another user');
    this.state = { ...this.state, token };
  }

  private async recheck(token: string): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const outcome = await this.authenticate(token);
      if (!outcome.ok && this.state.name === 'open' && this.state.token === token)
        this.connection.close(outcome.code, outcome.reason);
    } finally {
      this.checking = false;
    }
  }

  private async authenticate(token: string): Promise<Outcome> {
    try {
      const principal = await this.deps.sessions.authenticate(token);
      if (principal.via === 'token' && principal.passwordChangeRequired)
        return { ok: false, code: CLOSE.FORBIDDEN, reason: 'change your password first' };
      return { ok: true, userId: principal.userId };
    } catch (error) {
      if (error instanceof ApiError)
        return { ok: false, code: CLOSE.UNAUTHENTICATED, reason: error.message };
      this.deps.log.error({ err: error }, 'websocket authentication failed');
      return { ok: false, code: CLOSE.INTERNAL_ERROR, reason: 'authentication is unavailable' };
    }
  }

  /**
   * The user's open orders or balances now. The books may be a few commands ahead of what has
   * been published; updates that follow for the same order or asset replace these.
   */
  private snapshot(userId: number): ServerMessage {
    const { exchange } = this.deps;
    if (this.stream === 'orders') {
      const orders = exchange
        .openOrders()
        .filter((o) => o.userId === userId)
        .map(liveOrderView);
      return { type: 'orders_snapshot', orders };
    }
    const balances = [...exchange.ledger.balancesOf(userId)].map((b) =>
      balanceView(b.asset, b.available, b.held),
    );
    return { type: 'portfolio_snapshot', balances };
  }

  private reply(message: ServerMessage): void {
    this.connection.send(encode(message));
  }
}
