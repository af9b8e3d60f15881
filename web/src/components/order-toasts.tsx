// Toasts for the signed-in user's fills and triggered stops, on every page: each order update
// on /ws/orders is compared with the last state seen of that order, and what changed is
// announced in a polite live region ("Bought 3 INFY @ ₹1,862.60"). A snapshot (on connect and
// reconnect) only sets what was seen, so old fills are never announced again.

import { useEffect, useRef, useState } from 'react';
import type { Order } from '../api/types.ts';
import { orderNotices } from '../live/order-notices.ts';
import { openPrivateFeed } from '../live/private-feed.ts';

/** Long enough to read twice; a toast can also be dismissed. */
const SHOWN_MS = 8_000;
/** A burst of fills keeps only the newest few on screen. */
const MOST = 4;

interface Toast {
  id: number;
  text: string;
}

export function OrderToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(0);

  useEffect(() => {
    const seen = new Map<number, Order>();
    const timers = new Set<number>();
    const dismissLater = (id: number) => {
      const timer = window.setTimeout(() => {
        timers.delete(timer);
        setToasts((current) => current.filter((t) => t.id !== id));
      }, SHOWN_MS);
      timers.add(timer);
    };
    const close = openPrivateFeed('/ws/orders', (message) => {
      if (message.type === 'orders_snapshot') {
        for (const order of message.orders) seen.set(order.order_id, order);
      } else if (message.type === 'order_status') {
        const { order } = message;
        const texts = orderNotices(seen.get(order.order_id), order);
        seen.set(order.order_id, order);
        if (texts.length === 0) return;
        const added = texts.map((text) => ({ id: nextId.current++, text }));
        setToasts((current) => [...current, ...added].slice(-MOST));
        for (const toast of added) dismissLater(toast.id);
      }
    });
    return () => {
      close();
      for (const timer of timers) window.clearTimeout(timer);
    };
  }, []);

  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="order-toasts"
      className="pointer-events-none fixed inset-x-2 bottom-2 z-50 flex flex-col items-end gap-2 wide:left-auto wide:w-96"
    >
      {toasts.map((toast) => (
        <p
          key={toast.id}
          className="pointer-events-auto flex w-full items-center gap-3 rounded border border-accent/60 bg-panel px-3 py-2 shadow-lg"
          data-testid="order-toast"
        >
          <span className="flex-1">{toast.text}</span>
          <button
            type="button"
            aria-label={`Dismiss: ${toast.text}`}
            className="rounded px-2 text-dim hover:bg-edge hover:text-ink"
            onClick={() => setToasts((current) => current.filter((t) => t.id !== toast.id))}
          >
            ×
          </button>
        </p>
      ))}
    </div>
  );
}
