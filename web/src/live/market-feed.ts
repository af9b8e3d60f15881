// The page's one /ws/market connection, shared by every panel. Subscriptions are counted, so
// two panels on one symbol make one subscription; after a reconnect every live subscription is
// sent again, which also brings fresh book snapshots.

import { LiveSocket, type SocketState } from './socket.ts';
import type { ServerMessage } from './messages.ts';

export type MarketChannel = 'ticker' | 'book' | 'trades' | 'candles';

export interface MarketSubscription {
  symbol: string;
  channel: MarketChannel;
  interval?: string;
}

/** Book levels asked for in snapshots. */
const BOOK_DEPTH = 50;
/** The server's limit of symbols in one subscribe message. */
const SYMBOLS_PER_MESSAGE = 20;

const keyOf = (s: MarketSubscription) => `${s.channel}|${s.interval ?? ''}|${s.symbol}`;

function subscribeMessage(channel: MarketChannel, symbols: string[], interval?: string) {
  return {
    op: 'subscribe',
    symbols,
    channels: [channel],
    ...(channel === 'book' ? { depth: BOOK_DEPTH } : {}),
    ...(interval === undefined ? {} : { interval }),
  };
}

class MarketFeed {
  private readonly counts = new Map<string, { sub: MarketSubscription; count: number }>();
  private readonly handlers = new Set<(message: ServerMessage) => void>();
  private readonly watchers = new Set<() => void>();
  private readonly reopenedListeners = new Set<() => void>();
  private opens = 0;
  readonly socket: LiveSocket;

  constructor() {
    this.socket = new LiveSocket('/ws/market', {
      onOpen: () => {
        this.resubscribeAll();
        this.opens += 1;
        if (this.opens > 1) for (const listener of this.reopenedListeners) listener();
      },
      onMessage: (message) => {
        for (const handler of this.handlers) handler(message as unknown as ServerMessage);
      },
      onState: () => {
        for (const watcher of this.watchers) watcher();
      },
    });
  }

  get state(): SocketState {
    return this.socket.state;
  }

  watch(watcher: () => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Called after each reconnection (not the first connection): reload what REST gave. */
  onReopen(listener: () => void): () => void {
    this.reopenedListeners.add(listener);
    return () => this.reopenedListeners.delete(listener);
  }

  listen(handler: (message: ServerMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  subscribe(subs: MarketSubscription[]): () => void {
    const fresh: MarketSubscription[] = [];
    for (const sub of subs) {
      const entry = this.counts.get(keyOf(sub));
      if (entry === undefined) {
        this.counts.set(keyOf(sub), { sub, count: 1 });
        fresh.push(sub);
      } else entry.count += 1;
    }
    this.sendGrouped(fresh, 'subscribe');
    return () => {
      const gone: MarketSubscription[] = [];
      for (const sub of subs) {
        const entry = this.counts.get(keyOf(sub));
        if (entry === undefined) continue;
        entry.count -= 1;
        if (entry.count === 0) {
          this.counts.delete(keyOf(sub));
          gone.push(sub);
        }
      }
      this.sendGrouped(gone, 'unsubscribe');
    };
  }

  /** Asks for a new book snapshot (after a sequence gap). */
  resync(symbol: string): void {
    this.socket.send(subscribeMessage('book', [symbol]));
  }

  private resubscribeAll(): void {
    this.sendGrouped(
      [...this.counts.values()].map((entry) => entry.sub),
      'subscribe',
    );
  }

  private sendGrouped(subs: MarketSubscription[], op: 'subscribe' | 'unsubscribe'): void {
    const groups = new Map<
      string,
      { channel: MarketChannel; interval?: string; symbols: string[] }
    >();
    for (const sub of subs) {
      const key = `${sub.channel}|${sub.interval ?? ''}`;
      const group = groups.get(key) ?? {
        channel: sub.channel,
        symbols: [],
        ...(sub.interval === undefined ? {} : { interval: sub.interval }),
      };
      group.symbols.push(sub.symbol);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.symbols.length; i += SYMBOLS_PER_MESSAGE) {
        const symbols = group.symbols.slice(i, i + SYMBOLS_PER_MESSAGE);
        const message = subscribeMessage(group.channel, symbols, group.interval);
        this.socket.send(op === 'subscribe' ? message : { ...message, op, depth: undefined });
      }
    }
  }
}

let shared: MarketFeed | undefined;

/** The page's market connection, opened on first use. */
export function marketFeed(): MarketFeed {
  shared ??= new MarketFeed();
  return shared;
}
