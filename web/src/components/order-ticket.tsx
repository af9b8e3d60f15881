// The order ticket: side, type, time in force, quantity, price and stop; shows the value, the
// fee and what will be held before sending (integer paise, the ledger's own fee functions),
// validates as you type, and shows the API's refusal in its own words. Shows the cash and the
// shares of the symbol the user has; any change clears the last refusal or confirmation.
// Keys: B / S choose the side, Enter sends, Esc clears.

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { MarketRules, NewOrder, Placed } from '../api/types.ts';
import type { Balance } from '../live/private-feed.ts';
import { buyCollar, buyHold, feeFor, paiseOf, parseRupees, rupees, shares } from '../money.ts';
import { Button, ErrorLine, Field, Panel, Select, useAction } from './form.tsx';

type Side = NewOrder['order_type'];
type Mode = NewOrder['order_mode'];
type Tif = NonNullable<NewOrder['time_in_force']>;

const MODES: { value: Mode; label: string }[] = [
  { value: 'LIMIT', label: 'Limit' },
  { value: 'MARKET', label: 'Market' },
  { value: 'STOP_LOSS', label: 'Stop loss' },
  { value: 'STOP_LIMIT', label: 'Stop limit' },
];
const TIFS: Tif[] = ['GTC', 'DAY', 'IOC', 'FOK'];
/** A market order cannot rest, so the exchange takes it only as IOC or FOK. */
const tifsFor = (mode: Mode): Tif[] => (mode === 'MARKET' ? ['IOC', 'FOK'] : TIFS);
const MAX_QUANTITY = 10_000_000;

/** A keyboard shortcut's hint, left out on a narrow (touch) screen that has no keyboard. */
function Key({ children }: { children: string }) {
  return <span className="hidden wide:inline">({children})</span>;
}

export interface TicketMarket {
  symbol: string;
  tickPaise: number | undefined;
  bestBid: number | undefined;
  bestAsk: number | undefined;
  lastPaise: number | undefined;
}

interface Draft {
  quantity: string;
  price: string;
  stop: string;
}

const needsPrice = (mode: Mode) => mode === 'LIMIT' || mode === 'STOP_LIMIT';
const needsStop = (mode: Mode) => mode === 'STOP_LOSS' || mode === 'STOP_LIMIT';

function priceProblem(text: string, tick: number | undefined): string | undefined {
  if (text.trim() === '') return 'required';
  const paise = parseRupees(text.trim());
  if (paise === undefined || paise === 0) return 'a positive rupee amount, at most 2 decimals';
  if (tick !== undefined && tick > 1 && paise % tick !== 0)
    return `must be a multiple of the tick, ₹${rupees(tick, { symbol: false })}`;
  return undefined;
}

export function OrderTicket(props: {
  market: TicketMarket;
  rules: MarketRules | undefined;
  balances: Map<string, Balance> | undefined;
  /** A price picked on the ladder. */
  pickedPrice: { price: string; at: number } | undefined;
}) {
  const { market, rules } = props;
  const [side, setSide] = useState<Side>('BUY');
  const [mode, setMode] = useState<Mode>('LIMIT');
  const [tif, setTif] = useState<Tif>('GTC');
  const [draft, setDraft] = useState<Draft>({ quantity: '1', price: '', stop: '' });
  const [touched, setTouched] = useState(false);
  const [placed, setPlaced] = useState<string>();
  // Just sent: the balances now include this order's hold, so warnings about them wait for
  // the next change (else "you have 0 INFY available" would sit under the stop just placed).
  const [sent, setSent] = useState(false);
  const { busy, error, setError, run } = useAction();
  const form = useRef<HTMLFormElement>(null);

  /** Any change to the order: the last refusal or confirmation no longer applies. */
  const changed = () => {
    setError(undefined);
    setPlaced(undefined);
    setSent(false);
  };
  const edit = (change: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...change }));
    changed();
  };

  useEffect(() => {
    if (props.pickedPrice !== undefined) edit({ price: props.pickedPrice.price });
  }, [props.pickedPrice]);
  useEffect(() => edit({ price: '', stop: '' }), [market.symbol]);

  const clear = () => {
    setDraft({ quantity: '1', price: '', stop: '' });
    setTouched(false);
    changed();
  };

  // B / S / Esc anywhere on the page except in a text field outside the ticket.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      const inTicket = target !== null && form.current?.contains(target) === true;
      const typing =
        (target?.closest('input, textarea, select, [contenteditable]') ?? null) !== null;
      if (typing && !inTicket) return;
      const key = event.key.toLowerCase();
      if (key === 'b' || key === 's') {
        event.preventDefault();
        setSide(key === 'b' ? 'BUY' : 'SELL');
        changed();
      } else if (event.key === 'Escape' && inTicket) {
        event.preventDefault();
        clear();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Inline validation, in integers.
  const quantity = /^\d{1,8}$/.test(draft.quantity.trim()) ? Number(draft.quantity) : undefined;
  const problems: Partial<Record<keyof Draft, string>> = {};
  if (quantity === undefined || quantity < 1 || quantity > MAX_QUANTITY)
    problems.quantity = `whole shares, 1 to ${shares(MAX_QUANTITY)}`;
  if (needsPrice(mode)) {
    const p = priceProblem(draft.price, market.tickPaise);
    if (p !== undefined) problems.price = p;
  }
  if (needsStop(mode)) {
    const p = priceProblem(draft.stop, market.tickPaise);
    if (p !== undefined) problems.stop = p;
  }
  const valid = Object.keys(problems).length === 0;
  // The exchange refuses limit and stop prices too far from the last price; say so first.
  let band: string | undefined;
  const bandBps = rules?.price_band_bps;
  if (bandBps !== undefined && market.lastPaise !== undefined) {
    const last = market.lastPaise;
    const outside = [draft.price, draft.stop].some((text, i) => {
      if (i === 0 ? !needsPrice(mode) : !needsStop(mode)) return false;
      const paise = parseRupees(text.trim());
      return paise !== undefined && Math.abs(paise - last) * 10_000 > last * bandBps;
    });
    if (outside)
      band = `more than ${bandBps / 100}% from the last price ${rupees(last)}: the exchange will refuse it`;
  }

  // What the order is worth and costs, before sending.
  const limitPaise = needsPrice(mode) ? parseRupees(draft.price.trim()) : undefined;
  const stopPaise = needsStop(mode) ? parseRupees(draft.stop.trim()) : undefined;
  const reference =
    limitPaise ??
    stopPaise ??
    (side === 'BUY' ? (market.bestAsk ?? market.lastPaise) : (market.bestBid ?? market.lastPaise));
  const takerBps = rules?.taker_fee_bps ?? 0;
  const feeBps = Math.max(takerBps, rules?.maker_fee_bps ?? 0);
  let estimate: { value: number; fee: number; total: number; hold: number | undefined } | undefined;
  if (valid && quantity !== undefined && reference !== undefined && reference > 0) {
    const value = quantity * reference;
    const fee = feeFor(value, feeBps);
    const total = side === 'BUY' ? value + fee : value - fee;
    let hold: number | undefined;
    if (side === 'BUY' && rules !== undefined) {
      // A market buy holds at its collar price; other buys at their limit (or stop) price.
      const capBps = mode === 'MARKET' || mode === 'STOP_LOSS' ? rules.market_collar_bps : 0;
      const cap = buyCollar(reference, capBps, market.tickPaise ?? 1);
      hold = buyHold(quantity, cap, rules.maker_fee_bps, rules.taker_fee_bps);
    }
    estimate = { value, fee, total, hold };
  }
  const cash = paiseOf(String(props.balances?.get('INR')?.available ?? '0'));
  const holding = props.balances?.get(market.symbol);
  const ownShares = Number(holding?.available ?? 0);
  const heldShares = Number(holding?.held ?? 0);
  const holdingText =
    ownShares + heldShares === 0
      ? `You hold no ${market.symbol}`
      : `You hold ${shares(ownShares + heldShares)} ${market.symbol} (${shares(ownShares)} available)`;
  let funds: string | undefined;
  if (!sent && props.balances !== undefined) {
    if (side === 'BUY' && estimate?.hold !== undefined && estimate.hold > cash)
      funds = `needs up to ${rupees(estimate.hold)} held; ${rupees(cash)} available`;
    if (side === 'SELL' && quantity !== undefined && quantity > ownShares)
      funds = `you have ${shares(ownShares)} ${market.symbol} available`;
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!valid || quantity === undefined || busy) return;
    const order: NewOrder = {
      symbol: market.symbol,
      order_type: side,
      order_mode: mode,
      quantity,
      time_in_force: tif,
      ...(needsPrice(mode) ? { price: draft.price.trim() } : {}),
      ...(needsStop(mode) ? { stop_price: draft.stop.trim() } : {}),
    };
    setPlaced(undefined);
    void run(async () => {
      const result = await api.post<Placed>('/api/trading/order', order);
      setSent(true);
      setPlaced(`Order ${result.order_id}: ${result.status.toLowerCase().replaceAll('_', ' ')}`);
    });
  };

  const show = (field: keyof Draft) =>
    touched || draft[field] !== '' ? problems[field] : undefined;
  const sideButton = (value: Side, label: string, key: string, colour: string) => (
    <button
      type="button"
      aria-pressed={side === value}
      onClick={() => {
        setSide(value);
        changed();
      }}
      className={`flex-1 rounded py-1.5 font-semibold ${side === value ? colour : 'border border-edge text-dim'}`}
    >
      {label} <Key>{key}</Key>
    </button>
  );

  return (
    <Panel title={`Order ticket · ${market.symbol}`} className="h-full">
      <form
        ref={form}
        onSubmit={submit}
        className="flex h-full flex-col gap-1.5 overflow-auto p-3"
        aria-label="Order ticket"
        noValidate
      >
        <div className="flex gap-2" role="group" aria-label="Side">
          {sideButton('BUY', 'Buy', 'B', 'bg-up text-page')}
          {sideButton('SELL', 'Sell', 'S', 'bg-down text-page')}
        </div>
        <p className="flex flex-wrap justify-between gap-x-3 text-xs text-dim">
          <span data-testid="ticket-cash">
            Cash available{' '}
            <span className="num text-ink">
              {props.balances === undefined ? '…' : rupees(cash)}
            </span>
          </span>
          <span data-testid="ticket-holding">
            {props.balances === undefined ? '…' : holdingText}
          </span>
        </p>
        <div className="grid grid-cols-2 gap-2">
          <Select
            label="Order type"
            value={mode}
            onChange={(e) => {
              const next = e.target.value as Mode;
              setMode(next);
              changed();
              // The exchange's defaults: IOC for a market order, GTC for the others.
              if (!tifsFor(next).includes(tif) || (mode === 'MARKET' && next !== 'MARKET')) {
                setTif(next === 'MARKET' ? 'IOC' : 'GTC');
              }
            }}
          >
            {MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </Select>
          <Select
            label="Time in force"
            value={tif}
            onChange={(e) => {
              setTif(e.target.value as Tif);
              changed();
            }}
          >
            {tifsFor(mode).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </div>
        <Field
          label="Quantity (shares)"
          name="quantity"
          inputMode="numeric"
          autoComplete="off"
          value={draft.quantity}
          onChange={(e) => edit({ quantity: e.target.value })}
          error={show('quantity')}
        />
        {needsPrice(mode) && (
          <Field
            label="Limit price (₹)"
            name="price"
            inputMode="decimal"
            autoComplete="off"
            placeholder={
              market.lastPaise === undefined
                ? ''
                : `e.g. ${rupees(market.lastPaise, { symbol: false }).replaceAll(',', '')}`
            }
            value={draft.price}
            onChange={(e) => edit({ price: e.target.value })}
            error={show('price')}
          />
        )}
        {needsStop(mode) && (
          <Field
            label="Stop price (₹)"
            name="stop"
            inputMode="decimal"
            autoComplete="off"
            value={draft.stop}
            onChange={(e) => edit({ stop: e.target.value })}
            error={show('stop')}
          />
        )}
        <dl
          className="grid grid-cols-2 gap-x-2 gap-y-0.5 rounded border border-edge p-2 text-sm"
          data-testid="order-estimate"
        >
          <dt className="text-dim">{mode === 'LIMIT' ? 'Value' : 'Est. value'}</dt>
          <dd className="num text-right">
            {estimate === undefined ? '—' : rupees(estimate.value)}
          </dd>
          <dt className="text-dim">{feeBps === 0 ? 'Fee (none)' : `Fee (up to ${feeBps} bp)`}</dt>
          <dd className="num text-right">{estimate === undefined ? '—' : rupees(estimate.fee)}</dd>
          <dt className="text-dim">{side === 'BUY' ? 'Total cost' : 'Proceeds'}</dt>
          <dd className="num text-right font-semibold">
            {estimate === undefined ? '—' : rupees(estimate.total)}
          </dd>
          {estimate?.hold !== undefined && (
            <>
              <dt className="text-dim">Cash held</dt>
              <dd className="num text-right">{rupees(estimate.hold)}</dd>
            </>
          )}
        </dl>
        {/* Kept in view when the ticket scrolls (a short window): what was said, and Send. */}
        <div className="-mx-3 -mb-3 mt-auto flex flex-col gap-2 border-t border-edge bg-panel p-3 wide:sticky wide:bottom-0">
          {funds !== undefined && (
            <p className="text-xs text-yellow-300" data-testid="ticket-funds">
              {funds}
            </p>
          )}
          {band !== undefined && <p className="text-xs text-yellow-300">{band}</p>}
          <ErrorLine message={error} />
          {placed !== undefined && (
            <p role="status" className="text-sm text-up" data-testid="order-placed">
              {placed}
            </p>
          )}
          <div className="flex gap-2">
            <Button type="submit" tone="primary" className="flex-1" disabled={busy}>
              {side === 'BUY' ? 'Buy' : 'Sell'} {market.symbol} <Key>Enter</Key>
            </Button>
            <Button onClick={clear}>
              Clear <Key>Esc</Key>
            </Button>
          </div>
        </div>
      </form>
    </Panel>
  );
}
