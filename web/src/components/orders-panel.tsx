// The user's orders, live from /ws/orders: open orders with cancel and amend (quantity, price,
// stop; the amend form names the order it changes), and the order history; each order opens onto
// its holds and releases.

import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import type { Order, OrderDetail } from '../api/types.ts';
import { orderTerms } from '../live/order-notices.ts';
import { isOpen } from '../live/private-feed.ts';
import { price, shares } from '../money.ts';
import { dateTime, timeOfDay } from '../time.ts';
import { Button, ErrorLine, Panel, Tab, textOf } from './form.tsx';
import { PostingsTable } from './postings-table.tsx';

function AmendRow({ order, onDone }: { order: Order; onDone: () => void }) {
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, string | number> = {};
    const quantity = textOf(form, 'quantity').trim();
    if (quantity !== String(order.quantity)) body.quantity = Number(quantity);
    const limit = textOf(form, 'price').trim();
    if (order.price !== null && limit !== order.price) body.price = limit;
    const stop = textOf(form, 'stop_price').trim();
    if (order.stop_price !== null && stop !== order.stop_price) body.stop_price = stop;
    api
      .request('PATCH', `/api/trading/order/${order.order_id}`, { body })
      .then(onDone)
      .catch((e: unknown) => setError(errorText(e)));
  };
  const input = (
    label: string,
    name: string,
    value: string | number,
    mode: 'numeric' | 'decimal',
  ) => (
    <label className="flex items-center gap-1 text-xs text-dim">
      {label}
      <input
        name={name}
        defaultValue={value}
        className="w-24 rounded border border-edge bg-page px-1 py-0.5 num"
        inputMode={mode}
      />
    </label>
  );
  return (
    <tr>
      <td colSpan={10} className="px-2 py-1">
        <form
          className="sticky left-0 flex max-w-[calc(100vw-2rem)] flex-wrap items-center gap-2 rounded border border-accent/60 bg-accent/10 p-2 whitespace-normal"
          onSubmit={submit}
          onChange={() => setError(undefined)}
          aria-label={`Amend order ${order.order_id}`}
        >
          <p className="w-full text-sm font-semibold" data-testid="amend-banner">
            Amending {orderTerms(order)} (order #{order.order_id})
          </p>
          {input('Quantity', 'quantity', order.quantity, 'numeric')}
          {order.price !== null && input('Price ₹', 'price', order.price, 'decimal')}
          {order.stop_price !== null && input('Stop ₹', 'stop_price', order.stop_price, 'decimal')}
          <Button type="submit" tone="primary">
            Save
          </Button>
          <Button onClick={onDone}>Cancel amend</Button>
          <ErrorLine message={error} />
        </form>
      </td>
    </tr>
  );
}

/** An order's detail: the holds and releases it made, which the transaction history leaves out. */
function OrderHolds({ order }: { order: Order }) {
  const [detail, setDetail] = useState<OrderDetail>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api
      .get<OrderDetail>(`/api/trading/order/${order.order_id}`)
      .then(setDetail)
      .catch((e: unknown) => setError(errorText(e)));
  }, [order.order_id, order.updated_at]);
  return (
    <tr>
      <td colSpan={10} className="bg-page/60 px-3 py-1">
        <ErrorLine message={error} />
        {detail === undefined ? (
          <span className="text-xs text-dim">Loading…</span>
        ) : (
          <PostingsTable
            postings={detail.postings}
            label={`Holds and releases of order ${order.order_id}`}
          />
        )}
      </td>
    </tr>
  );
}

function OrderRow(props: {
  order: Order;
  actions: boolean;
  onAmend: () => void;
  holds: boolean;
  onHolds: () => void;
}) {
  const { order } = props;
  const [error, setError] = useState<string>();
  const cancel = () =>
    void api
      .request('DELETE', `/api/trading/order/${order.order_id}`)
      .catch((e: unknown) => setError(errorText(e)));
  return (
    <tr
      className="border-t border-edge/60"
      data-order-id={order.order_id}
      data-status={order.status}
    >
      <td className="num px-2 py-1 text-dim" title={dateTime(order.created_at)}>
        {timeOfDay(order.created_at)}
      </td>
      <td className="px-2 py-1 font-semibold">{order.symbol}</td>
      <td className={`px-2 py-1 ${order.order_type === 'BUY' ? 'text-up' : 'text-down'}`}>
        {order.order_type}
      </td>
      <td className="px-2 py-1">
        {order.order_mode.replace('_', ' ')} · {order.time_in_force}
      </td>
      <td className="num px-2 py-1 text-right">
        {shares(order.filled_quantity)}/{shares(order.quantity)}
      </td>
      <td className="num px-2 py-1 text-right">{price(order.price)}</td>
      <td className="num px-2 py-1 text-right">{price(order.stop_price)}</td>
      <td className="num px-2 py-1 text-right">{price(order.average_price)}</td>
      <td className="px-2 py-1" title={order.cancel_reason ?? undefined}>
        {order.status.replaceAll('_', ' ')}
      </td>
      <td className="px-2 py-1 text-right whitespace-nowrap">
        {props.actions && (
          <span className="flex justify-end gap-1">
            <Button className="py-0.5 text-xs" onClick={props.onAmend}>
              Amend
            </Button>
            <Button
              tone="danger"
              className="py-0.5 text-xs"
              onClick={cancel}
              aria-label={`Cancel order ${order.order_id}`}
            >
              Cancel
            </Button>
          </span>
        )}
        <button
          type="button"
          className="ml-2 text-xs text-dim hover:text-ink"
          aria-expanded={props.holds}
          aria-label={`Holds of order ${order.order_id}`}
          onClick={props.onHolds}
        >
          {props.holds ? '▾' : '▸'} Holds
        </button>
        {error !== undefined && <span className="text-xs text-down">{error}</span>}
      </td>
    </tr>
  );
}

export function OrdersPanel({ orders }: { orders: Map<number, Order> | undefined }) {
  const [tab, setTab] = useState<'open' | 'history'>('open');
  const [amending, setAmending] = useState<number>();
  const [holds, setHolds] = useState<number>();
  const all = [...(orders?.values() ?? [])].sort((a, b) => b.order_id - a.order_id);
  const open = all.filter(isOpen);
  const shown = tab === 'open' ? open : all.filter((o) => !isOpen(o));
  const tabButton = (value: 'open' | 'history', label: string) => (
    <Tab selected={tab === value} onSelect={() => setTab(value)} className="px-2 text-xs">
      {label}
    </Tab>
  );
  return (
    <Panel
      title="Orders"
      className="h-full"
      actions={
        <div role="tablist" aria-label="Orders" className="flex gap-1">
          {tabButton('open', `Open (${open.length})`)}
          {tabButton('history', 'History')}
        </div>
      }
    >
      <div className="h-full overflow-auto">
        <table
          className="w-full whitespace-nowrap text-sm"
          data-testid={tab === 'open' ? 'open-orders' : 'order-history'}
        >
          <thead className="text-xs text-dim">
            <tr>
              {[
                'Time',
                'Symbol',
                'Side',
                'Type',
                'Filled',
                'Price ₹',
                'Stop ₹',
                'Avg ₹',
                'Status',
                '',
              ].map((h, i) => (
                <th
                  key={i}
                  className={`px-2 py-1 font-normal ${i >= 4 && i <= 7 ? 'text-right' : 'text-left'}`}
                >
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((order) =>
              amending === order.order_id && isOpen(order) ? (
                <AmendRow
                  key={order.order_id}
                  order={order}
                  onDone={() => setAmending(undefined)}
                />
              ) : (
                <Fragment key={order.order_id}>
                  <OrderRow
                    order={order}
                    actions={tab === 'open'}
                    onAmend={() => setAmending(order.order_id)}
                    holds={holds === order.order_id}
                    onHolds={() => setHolds(holds === order.order_id ? undefined : order.order_id)}
                  />
                  {holds === order.order_id && <OrderHolds order={order} />}
                </Fragment>
              ),
            )}
          </tbody>
        </table>
        {orders !== undefined && shown.length === 0 && (
          <p className="px-3 py-2 text-dim">
            {tab === 'open' ? 'No open orders.' : 'No finished orders yet.'}
          </p>
        )}
      </div>
    </Panel>
  );
}
