// Fans committed market events out to WebSocket sessions: one market view subscription serves
// every connection, each message is encoded once however many receive it, market sessions get
// only the topics they subscribed to, and private sessions only their own user's orders and
// balances. Stored security events go to the administrators watching them, through their own
// filters. Events become wire messages here, once per message; the view holds integers only.

import type { RecordedSecurityEvent } from '../../defense/security-events.ts';
import { orderView } from '../../exchange/orders.ts';
import type { MarketEvent, MarketView } from '../../market/market-view.ts';
import { INTERVAL_NAMES, type Interval } from '../../market/candles.ts';
import type { Connection } from './connection.ts';
import {
  balanceView,
  bookUpdate,
  candleMessage,
  encode,
  portfolioData,
  tickerMessage,
  tradePrint,
  type PortfolioData,
  type ServerMessage,
} from './messages.ts';
import type { MarketChannel } from './protocol.ts';
import { tickerView } from '../ticker-view.ts';
import { formatPaise } from '../../money.ts';

/** One socket's part in the feed. */
export interface Session {
  readonly connection: Connection;
  /** A text message from the client. */
  receive(text: string): void;
  /** Every heartbeat interval, with the time as ISO text. */
  tick(time: string): void;
  /** The socket closed: let go of everything. */
  end(): void;
  /** The view reloaded these symbols after missing events: resend what was sent of them. */
  resynced?(symbols: readonly string[]): void;
}

export type PrivateStream = 'orders' | 'portfolio';

/** A session on the security feed: it decides, by its filter, whether to send an event. */
export interface SecurityWatcher {
  /** `text` encodes the `security_event` message, once for all watchers. */
  deliver(event: RecordedSecurityEvent, text: () => string): void;
}

/** What a market subscription is keyed by: `book:TCS`, `candles:1m:TCS`. */
export function topicOf(channel: MarketChannel, symbol: string, interval?: Interval): string {
  return channel === 'candles' ? `candles:${interval ?? '1m'}:${symbol}` : `${channel}:${symbol}`;
}

export function symbolOfTopic(topic: string): string {
  return topic.slice(topic.lastIndexOf(':') + 1);
}

export class Feed {
  readonly sessions = new Set<Session>();
  private readonly topics = new Map<string, Set<Connection>>();
  private readonly watchers: Record<PrivateStream, Map<number, Set<Connection>>> = {
    orders: new Map(),
    portfolio: new Map(),
  };
  private readonly securityWatchers = new Set<SecurityWatcher>();
  /**
   * The balances of each user watching /ws/portfolio, by asset, as the published events left
   * them: what `portfolio_update.data` is built from. Kept from the events rather than read from
   * the ledger, which may hold commands not yet durable. Read from the view when the user's first
   * connection opens (in the same turn as its snapshot, so the two agree) and when it reloads.
   */
  private readonly accounts = new Map<number, Map<string, { available: number; held: number }>>();
  /** Market connections that have not subscribed yet: they get every price change. */
  private readonly unsubscribed = new Set<Connection>();
  /** The price last announced per symbol, so a trade at the same price announces nothing. */
  private readonly announced = new Map<string, string>();

  constructor(readonly market: MarketView) {}

  publishedSequence(symbol: string): number {
    return this.market.sequence(symbol);
  }

  join(topic: string, connection: Connection): void {
    add(this.topics, topic, connection);
  }

  leave(topic: string, connection: Connection): void {
    remove(this.topics, topic, connection);
  }

  /** Until it subscribes, a market connection gets a `price_update` per symbol per change. */
  announcePrices(connection: Connection): void {
    this.unsubscribed.add(connection);
  }

  stopAnnouncingPrices(connection: Connection): void {
    this.unsubscribed.delete(connection);
  }

  watch(stream: PrivateStream, userId: number, connection: Connection): void {
    add(this.watchers[stream], userId, connection);
    if (stream === 'portfolio' && !this.accounts.has(userId)) this.readAccount(userId);
  }

  private readAccount(userId: number): void {
    const assets = new Map<string, { available: number; held: number }>();
    for (const b of this.market.balances(userId))
      assets.set(b.asset, { available: b.available, held: b.held });
    this.accounts.set(userId, assets);
  }

  unwatch(stream: PrivateStream, userId: number, connection: Connection): void {
    remove(this.watchers[stream], userId, connection);
    if (stream === 'portfolio' && !this.watchers.portfolio.has(userId))
      this.accounts.delete(userId);
  }

  watchSecurity(watcher: SecurityWatcher): void {
    this.securityWatchers.add(watcher);
  }

  unwatchSecurity(watcher: SecurityWatcher): void {
    this.securityWatchers.delete(watcher);
  }

  /** One stored security event, to every watcher whose filter admits it. */
  publishSecurity(event: RecordedSecurityEvent): void {
    if (this.securityWatchers.size === 0) return;
    let text: string | undefined;
    const encoded = (): string => (text ??= encode({ type: 'security_event', event }));
    for (const watcher of this.securityWatchers) watcher.deliver(event, encoded);
  }

  /**
   * One command's committed events, in commit order. The view has recorded its trades into
   * market data before it calls here, so tickers and candles built here include them.
   */
  publish(events: readonly MarketEvent[]): void {
    const traded = new Set<string>();
    // A command is durable as a whole: every `portfolio_update` it sends carries the account
    // after all of it (a fill's cash and shares updates, the same `data`), built once per user.
    for (const e of events) {
      if (e.kind === 'balance')
        this.accounts.get(e.userId)?.set(e.asset, { available: e.available, held: e.held });
    }
    const built = new Map<number, PortfolioData>();
    const dataOf = (userId: number): PortfolioData => {
      let data = built.get(userId);
      if (data === undefined) {
        const assets = [...(this.accounts.get(userId) ?? [])];
        data = portfolioData(assets.map(([asset, b]) => ({ asset, ...b })));
        built.set(userId, data);
      }
      return data;
    };
    for (const e of events) {
      switch (e.kind) {
        case 'book':
          this.send(this.topics.get(`book:${e.symbol}`), () =>
            bookUpdate(e.symbol, e.prevSequence, e.sequence, e.events),
          );
          break;
        case 'trade':
          traded.add(e.symbol);
          this.send(this.topics.get(`trades:${e.symbol}`), () => tradePrint(e));
          break;
        case 'order':
          // `data` repeats `order` for the original platform's clients: the order is written
          // twice in the frame, which only the user's own connections receive.
          this.send(this.watchers.orders.get(e.userId), () => {
            const order = orderView(e.order);
            return { type: 'order_status', order, data: order };
          });
          break;
        case 'balance':
          this.send(this.watchers.portfolio.get(e.userId), () => ({
            type: 'portfolio_update',
            ...balanceView(e.asset, e.available, e.held),
            data: dataOf(e.userId),
          }));
          break;
      }
    }
    // One ticker and one candle per interval per command, after all of its trades.
    for (const symbol of traded) {
      this.send(this.unsubscribed, () => this.priceUpdate(symbol));
      this.send(this.topics.get(`ticker:${symbol}`), () => this.ticker(symbol));
      for (const interval of INTERVAL_NAMES) {
        this.send(this.topics.get(`candles:${interval}:${symbol}`), () =>
          this.candle(symbol, interval),
        );
      }
    }
  }

  /** The view reloaded these symbols: every session resends what it showed of them. */
  resynced(symbols: readonly string[]): void {
    for (const userId of this.accounts.keys()) this.readAccount(userId);
    for (const session of this.sessions) session.resynced?.(symbols);
  }

  /** The current ticker of a listed symbol. */
  ticker(symbol: string): ServerMessage | undefined {
    const listing = this.market.listing(symbol);
    if (listing === undefined) return undefined;
    const view = tickerView(listing, this.market.ticker(symbol));
    return tickerMessage(view, this.publishedSequence(symbol));
  }

  /** The ticker as the original platform's `price_update`, if the price moved since the last. */
  private priceUpdate(symbol: string): ServerMessage | undefined {
    const listing = this.market.listing(symbol);
    if (listing === undefined) return undefined;
    const data = tickerView(listing, this.market.ticker(symbol));
    const previous = this.announced.get(symbol) ?? formatPaise(listing.referencePrice);
    this.announced.set(symbol, data.price);
    if (data.price === previous) return undefined;
    return { type: 'price_update', sequence: this.publishedSequence(symbol), data };
  }

  /** The newest candle of a symbol, if it has traded. */
  candle(symbol: string, interval: Interval): ServerMessage | undefined {
    const [latest] = this.market.candles(symbol, interval, 1);
    if (latest === undefined) return undefined;
    return candleMessage(symbol, interval, latest, this.publishedSequence(symbol));
  }

  tick(time: string): void {
    for (const session of this.sessions) session.tick(time);
  }

  /** Encodes lazily (nobody listening costs nothing) and once for all listeners. */
  private send(
    listeners: ReadonlySet<Connection> | undefined,
    build: () => ServerMessage | undefined,
  ): void {
    if (listeners === undefined || listeners.size === 0) return;
    const message = build();
    if (message === undefined) return;
    const text = encode(message);
    for (const connection of listeners) connection.send(text);
  }
}

function add<K>(index: Map<K, Set<Connection>>, key: K, connection: Connection): void {
  const set = index.get(key);
  if (set === undefined) index.set(key, new Set([connection]));
  else set.add(connection);
}

function remove<K>(index: Map<K, Set<Connection>>, key: K, connection: Connection): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(connection);
  if (set.size === 0) index.delete(key);
}
