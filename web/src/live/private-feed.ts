// The signed-in channels, /ws/orders, /ws/portfolio and (administrators) /ws/security:
// authenticated with the in-memory access token in the first message (never in the URL),
// re-authenticated with each renewed token, and reconnected (with a fresh token after a 4401)
// like the market feed.

import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { Order } from '../api/types.ts';
import type { OrderStatusName } from '../../../src/exchange/orders.ts';
import type { MessageOf, ServerMessage } from './messages.ts';
import { LiveSocket } from './socket.ts';

export function openPrivateFeed<Message = ServerMessage>(
  path: '/ws/orders' | '/ws/portfolio' | '/ws/security',
  onMessage: (message: Message) => void,
): () => void {
  const socket = new LiveSocket(path, {
    onOpen: (s) => {
      if (api.token !== undefined) s.send({ op: 'auth', token: api.token });
    },
    onMessage: (message) => onMessage(message as unknown as Message),
    onFatal: (code) => {
      // 4401: the token expired or the session changed; a renewed token may fix it.
      if (code === 4401)
        void api.refresh().then((pair) => {
          if (pair !== undefined) socket.reconnect();
        });
    },
  });
  const stopWatching = api.watchToken((token) => {
    if (token !== undefined) socket.send({ op: 'auth', token });
  });
  return () => {
    stopWatching();
    socket.close();
  };
}

const OPEN_STATUSES: readonly OrderStatusName[] = ['PENDING_TRIGGER', 'OPEN', 'PARTIALLY_FILLED'];

export function isOpen(order: Order): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(order.status);
}

/** The user's orders by id: recent history from REST, kept live from /ws/orders. */
export function useOrders(): Map<number, Order> | undefined {
  const [orders, setOrders] = useState<Map<number, Order>>();
  useEffect(() => {
    let cancelled = false;
    // A later update of the same order replaces an earlier one (updated_at, then fill count).
    const merge = (incoming: readonly Order[]) =>
      setOrders((current) => {
        const next = new Map(current);
        for (const order of incoming) {
          const known = next.get(order.order_id);
          if (
            known === undefined ||
            known.updated_at < order.updated_at ||
            (known.updated_at === order.updated_at &&
              known.filled_quantity <= order.filled_quantity)
          )
            next.set(order.order_id, order);
        }
        return next;
      });
    const load = () =>
      void api
        .get<{ orders: Order[] }>('/api/trading/orders?limit=100')
        .then(({ orders: list }) => {
          if (!cancelled) merge(list);
        });
    load();
    const close = openPrivateFeed('/ws/orders', (message) => {
      if (message.type === 'orders_snapshot') {
        merge(message.orders);
        load();
      } else if (message.type === 'order_status') merge([message.order]);
    });
    return () => {
      cancelled = true;
      close();
    };
  }, []);
  return orders;
}

/** One asset's balance; `data` (the account, for the original platform's clients) is dropped. */
export type Balance = Omit<MessageOf<'portfolio_update'>, 'type' | 'data'>;

/** Cash and share balances by asset, live from /ws/portfolio. */
export function useBalances(): Map<string, Balance> | undefined {
  const [balances, setBalances] = useState<Map<string, Balance>>();
  useEffect(
    () =>
      openPrivateFeed('/ws/portfolio', (message) => {
        if (message.type === 'portfolio_snapshot')
          setBalances(new Map(message.balances.map((b) => [b.asset, b])));
        else if (message.type === 'portfolio_update') {
          const { type: _type, data: _data, ...balance } = message;
          setBalances((current) => new Map(current).set(balance.asset, balance));
        }
      }),
    [],
  );
  return balances;
}
