// /ws/market: public market data by subscription. Subscribing to a book sends its snapshot
// first, then every later change of that book in sequence; subscribing again resends the
// snapshot, which is how a client that saw a gap resynchronises; when the node's view itself
// reloads a symbol, the session resends that snapshot unasked. A connection that has not
// subscribed gets the original platform's `price_update`, one per symbol per price change.

import { INTERVAL_NAMES, type Interval } from '../../market/candles.ts';
import type { MarketView } from '../../market/market-view.ts';
import type { Connection } from './connection.ts';
import { symbolOfTopic, topicOf, type Feed, type Session } from './feed.ts';
import { bookSnapshot, encode, errorMessage, type ServerMessage } from './messages.ts';
import {
  DEFAULT_DEPTH,
  DEFAULT_INTERVAL,
  parseMarketRequest,
  type SubscriptionRequest,
} from './protocol.ts';

/** Topics one connection may hold at once (a symbol on every channel is four or more). */
export const MAX_TOPICS_PER_CONNECTION = 200;

export class MarketSession implements Session {
  private readonly topics = new Set<string>();
  /** The depth each subscribed book was asked for, to resend the same snapshot on a resync. */
  private readonly depths = new Map<string, number>();

  constructor(
    readonly connection: Connection,
    private readonly feed: Feed,
    private readonly market: MarketView,
    private readonly now: () => number,
  ) {
    feed.announcePrices(connection);
  }

  receive(text: string): void {
    const parsed = parseMarketRequest(text);
    if (!parsed.ok) return this.reply(errorMessage(parsed.message));
    const request = parsed.request;
    if (request.op === 'ping')
      return this.reply({ type: 'pong', time: new Date(this.now()).toISOString() });
    const symbols = [...new Set(request.symbols)];
    const unknown = symbols.filter((s) => this.market.listing(s) === undefined);
    if (unknown.length > 0)
      return this.reply(errorMessage(`unknown symbol: ${unknown.join(', ')}`));
    if (request.op === 'subscribe') this.subscribe(symbols, request);
    else this.unsubscribe(symbols, request);
  }

  tick(time: string): void {
    if (!this.connection.checkAlive()) return;
    const sequences: Record<string, number> = {};
    for (const topic of this.topics) {
      const symbol = symbolOfTopic(topic);
      sequences[symbol] = this.feed.publishedSequence(symbol);
    }
    this.reply({ type: 'heartbeat', time, sequences });
  }

  end(): void {
    this.feed.stopAnnouncingPrices(this.connection);
    for (const topic of this.topics) this.feed.leave(topic, this.connection);
    this.topics.clear();
    this.depths.clear();
  }

  /** What the client would get by subscribing again: each channel's snapshot of the symbols. */
  resynced(symbols: readonly string[]): void {
    for (const topic of this.topics) {
      const symbol = symbolOfTopic(topic);
      if (!symbols.includes(symbol)) continue;
      const [channel, interval] = topic.split(':') as [string, string];
      if (channel === 'book') this.snapshot(symbol, this.depths.get(symbol) ?? DEFAULT_DEPTH);
      else if (channel === 'ticker') this.reply(this.feed.ticker(symbol));
      else if (channel === 'candles') this.reply(this.feed.candle(symbol, interval as Interval));
    }
  }

  private subscribe(symbols: string[], request: SubscriptionRequest): void {
    const channels = [...new Set(request.channels)];
    const interval = request.interval ?? DEFAULT_INTERVAL;
    const wanted = symbols.flatMap((s) => channels.map((c) => topicOf(c, s, interval)));
    const added = wanted.filter((t) => !this.topics.has(t)).length;
    if (this.topics.size + added > MAX_TOPICS_PER_CONNECTION) {
      return this.reply(
        errorMessage(`at most ${MAX_TOPICS_PER_CONNECTION} subscriptions per connection`),
      );
    }
    for (const topic of wanted) {
      this.topics.add(topic);
      this.feed.join(topic, this.connection);
    }
    this.feed.stopAnnouncingPrices(this.connection);
    this.reply({ type: 'subscribed', symbols, channels });
    // What each channel starts from; later messages are changes to it.
    const depth = request.depth ?? DEFAULT_DEPTH;
    for (const symbol of symbols) {
      for (const channel of channels) {
        if (channel === 'book') {
          this.depths.set(symbol, depth);
          this.snapshot(symbol, depth);
        } else if (channel === 'ticker') {
          this.reply(this.feed.ticker(symbol));
        } else if (channel === 'candles') {
          this.reply(this.feed.candle(symbol, interval));
        }
      }
    }
  }

  private unsubscribe(symbols: string[], request: SubscriptionRequest): void {
    const channels = [...new Set(request.channels)];
    for (const symbol of symbols) {
      for (const channel of channels) {
        // Without an interval, unsubscribing from candles drops every interval.
        const intervals =
          channel === 'candles' && request.interval === undefined
            ? INTERVAL_NAMES
            : [request.interval];
        for (const interval of intervals) {
          const topic = topicOf(channel, symbol, interval);
          if (this.topics.delete(topic)) this.feed.leave(topic, this.connection);
          if (channel === 'book') this.depths.delete(symbol);
        }
      }
    }
    this.reply({ type: 'unsubscribed', symbols, channels });
  }

  private snapshot(symbol: string, depth: number): void {
    const book = this.market.depth(symbol, depth);
    if (book !== undefined) this.reply(bookSnapshot(symbol, depth, book));
  }

  private reply(message: ServerMessage | undefined): void {
    if (message !== undefined) this.connection.send(encode(message));
  }
}
