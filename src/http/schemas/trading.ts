// Request and reply schemas of the trading and market routes. Prices come in as decimal strings
// or numbers (parsed exactly in the handler) and go out as decimal strings.

import { Type } from 'typebox';

const closed = { additionalProperties: false } as const;

/** A price in rupees: "15234.50" or 15234.5; checked to the paisa by parseRupees. */
export const PriceInput = Type.Union([Type.String({ minLength: 1, maxLength: 20 }), Type.Number()]);

export const Symbol = Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Z0-9.&-]+$' });

export const OrderBody = Type.Object(
  {
    symbol: Symbol,
    order_type: Type.Union([Type.Literal('BUY'), Type.Literal('SELL')]),
    order_mode: Type.Union([
      Type.Literal('MARKET'),
      Type.Literal('LIMIT'),
      Type.Literal('STOP_LOSS'),
      Type.Literal('STOP_LIMIT'),
    ]),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    price: Type.Optional(PriceInput),
    stop_price: Type.Optional(PriceInput),
    time_in_force: Type.Optional(
      Type.Union([
        Type.Literal('GTC'),
        Type.Literal('IOC'),
        Type.Literal('FOK'),
        Type.Literal('DAY'),
      ]),
    ),
    post_only: Type.Optional(Type.Boolean()),
    client_order_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' }),
    ),
    self_trade_prevention: Type.Optional(
      Type.Union([
        Type.Literal('CANCEL_NEWEST'),
        Type.Literal('CANCEL_OLDEST'),
        Type.Literal('CANCEL_BOTH'),
      ]),
    ),
  },
  closed,
);

export const AmendBody = Type.Object(
  {
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    price: Type.Optional(PriceInput),
    stop_price: Type.Optional(PriceInput),
  },
  { ...closed, minProperties: 1 },
);

export const OrderIdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

const Money = Type.String();
const NullableMoney = Type.Union([Type.String(), Type.Null()]);

/** OHLCV candles, oldest first; prices as decimal strings, volume in whole shares. */
export const CandlesReply = Type.Object({
  symbol: Type.String(),
  interval: Type.String(),
  candles: Type.Array(
    Type.Object({
      time: Type.Integer({ description: 'start of the bucket, epoch seconds' }),
      open: Money,
      high: Money,
      low: Money,
      close: Money,
      volume: Type.Integer({ minimum: 0, description: 'shares traded in the bucket' }),
    }),
  ),
});

export const OrderReply = Type.Object({
  order_id: Type.Integer(),
  client_order_id: Type.Union([Type.String(), Type.Null()]),
  symbol: Type.String(),
  order_type: Type.String(),
  order_mode: Type.String(),
  time_in_force: Type.String(),
  quantity: Type.Integer(),
  filled_quantity: Type.Integer(),
  remaining_quantity: Type.Integer(),
  price: NullableMoney,
  stop_price: NullableMoney,
  average_price: NullableMoney,
  fees: Money,
  status: Type.String(),
  cancel_reason: Type.Union([Type.String(), Type.Null()]),
  post_only: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const FillReply = Type.Object({
  trade_id: Type.Integer(),
  price: Money,
  quantity: Type.Integer(),
  fee: Money,
  liquidity: Type.String(),
});

export const PlacedReply = Type.Object({
  success: Type.Literal(true),
  order_id: Type.Integer(),
  status: Type.String(),
  duplicate: Type.Boolean(),
  /** In words, for people and the original platform's clients. */
  message: Type.String(),
  order: OrderReply,
  fills: Type.Array(FillReply),
});

/** The caller's cash and shares, valued at the last price; `balance` and `profit_loss*` are the
 * original platform's names, beside the richer fields. */
export const PortfolioReply = Type.Object({
  balance: Money,
  cash: Type.Object({ available: Money, held: Money, total: Money }),
  holdings: Type.Array(
    Type.Object({
      symbol: Type.String(),
      quantity: Type.Integer(),
      available: Type.Integer(),
      held: Type.Integer(),
      avg_price: NullableMoney,
      current_price: NullableMoney,
      market_value: Money,
      cost_basis: Money,
      unrealized_pnl: Money,
      unrealized_pnl_percent: Type.Union([Type.String(), Type.Null()]),
      profit_loss: Money,
      profit_loss_percent: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  realized_pnl: Money,
  unrealized_pnl: Money,
  total_value: Money,
});

export const OrdersQuery = Type.Object({
  status: Type.Optional(Type.String({ pattern: '^[A-Z_]+(,[A-Z_]+)*$', maxLength: 100 })),
  symbol: Type.Optional(Symbol),
  before_id: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
});

export const PageQuery = Type.Object(
  {
    /** The `id` of the last row of the previous page: older events follow. */
    before_id: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  closed,
);

/** One ledger posting: rupees ("-879.40") for INR, whole shares ("-5") otherwise. */
export const PostingReply = Type.Object({
  id: Type.Integer(),
  tx_id: Type.Integer(),
  time: Type.String(),
  kind: Type.String(),
  asset: Type.String(),
  bucket: Type.String(),
  amount: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
});

const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);

/** One business event of the caller's history, its postings nested. */
export const TransactionReply = Type.Object({
  id: Type.Integer(),
  tx_id: Type.Integer(),
  time: Type.String(),
  kind: Type.Union([
    Type.Literal('TRADE'),
    Type.Literal('DEPOSIT'),
    Type.Literal('WITHDRAWAL'),
    Type.Literal('ADJUSTMENT'),
    Type.Literal('FEE'),
  ]),
  asset: Type.String(),
  /** The net change of `asset`: the cash a trade cost or brought, fee included. */
  amount: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
  symbol: Type.Union([Type.String(), Type.Null()]),
  side: Type.Union([Type.Literal('BUY'), Type.Literal('SELL'), Type.Null()]),
  quantity: NullableInteger,
  price: NullableMoney,
  fee: NullableMoney,
  order_id: NullableInteger,
  trade_id: NullableInteger,
  reason: Type.Union([Type.String(), Type.Null()]),
  /** The caller's cash, available and held, once this event was done. */
  cash_after: Money,
  postings: Type.Array(PostingReply),
});

export const TransactionsReply = Type.Object({
  transactions: Type.Array(TransactionReply),
  next_before_id: NullableInteger,
});

/** An order with the holds and releases it made (which the transaction history leaves out). */
export const OrderDetailReply = Type.Object({
  ...OrderReply.properties,
  postings: Type.Array(PostingReply),
});

export const MarketRulesReply = Type.Object({
  maker_fee_bps: Type.Integer(),
  taker_fee_bps: Type.Integer(),
  market_collar_bps: Type.Integer(),
  price_band_bps: Type.Integer(),
  fee_rounding: Type.Literal('up to the paisa, per order'),
  currency: Type.String(),
});
