// /ws/orders and /ws/portfolio: one user's own order updates or balances, after the client has
// authenticated (see authenticated-session.ts). Any signed-in user may open them; each sees only
// their own orders and balances.

import { orderView } from '../../exchange/orders.ts';
import type { MarketView } from '../../market/market-view.ts';
import {
  AuthenticatedSession,
  type Admission,
  type AuthenticatedDeps,
} from './authenticated-session.ts';
import type { Connection } from './connection.ts';
import type { Feed, PrivateStream } from './feed.ts';
import { balanceView, type ServerMessage } from './messages.ts';
import { parsePrivateRequest, type Parsed, type PrivateRequest } from './protocol.ts';

export interface PrivateDeps extends AuthenticatedDeps {
  feed: Feed;
  market: Pick<MarketView, 'openOrders' | 'balances'>;
}

export class PrivateSession extends AuthenticatedSession<PrivateRequest> {
  /** The user whose stream this session is watching, once authenticated. */
  private watching: number | undefined;

  constructor(
    connection: Connection,
    private readonly stream: PrivateStream,
    private readonly deps: PrivateDeps,
    offeredToken: string | undefined,
  ) {
    super(connection, deps, offeredToken);
  }

  protected parse(text: string): Parsed<PrivateRequest> {
    return parsePrivateRequest(text);
  }

  protected admit(): Admission {
    return { ok: true };
  }

  /** Watch, then snapshot, in one turn: no event can fall between the two. */
  protected started(userId: number): void {
    this.watching = userId;
    this.deps.feed.watch(this.stream, userId, this.connection);
    this.reply(this.snapshot(userId));
  }

  protected stopped(userId: number): void {
    this.watching = undefined;
    this.deps.feed.unwatch(this.stream, userId, this.connection);
  }

  /** The node's view reloaded after missing events: the snapshot again replaces what was sent. */
  resynced(): void {
    if (this.watching !== undefined) this.reply(this.snapshot(this.watching));
  }

  /** Every message is `auth` or `ping`, which the base answers. */
  protected handle(): void {}

  /**
   * The user's open orders or balances now. The books may be a few commands ahead of what has
   * been published; updates that follow for the same order or asset replace these.
   */
  private snapshot(userId: number): ServerMessage {
    const { market } = this.deps;
    if (this.stream === 'orders') {
      const orders = market.openOrders(userId).map(orderView);
      return { type: 'orders_snapshot', orders };
    }
    const balances = market.balances(userId).map((b) => balanceView(b.asset, b.available, b.held));
    return { type: 'portfolio_snapshot', balances };
  }
}
