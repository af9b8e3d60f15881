// The trading screen: watchlist, chart, depth ladder, trades tape, order ticket and orders.

import { useState } from 'react';
import { DepthLadder } from '../components/depth-ladder.tsx';
import { OrderTicket } from '../components/order-ticket.tsx';
import { OrdersPanel } from '../components/orders-panel.tsx';
import { PriceChart } from '../components/price-chart.tsx';
import { TradesTape } from '../components/trades-tape.tsx';
import { Watchlist } from '../components/watchlist.tsx';
import { useRules, useTickSize } from '../live/market-info.ts';
import { useBook, useTickers } from '../live/market-hooks.ts';
import { useBalances, useOrders } from '../live/private-feed.ts';
import { paiseOf } from '../money.ts';

const FIRST_SYMBOL = 'TCS';

export function TradePage() {
  const tickers = useTickers();
  const [chosen, setChosen] = useState<string>();
  const symbol =
    chosen ??
    (tickers?.has(FIRST_SYMBOL) === false ? [...tickers.keys()][0] : undefined) ??
    FIRST_SYMBOL;
  const { book } = useBook(symbol);
  const orders = useOrders();
  const balances = useBalances();
  const rules = useRules();
  const tick = useTickSize(symbol);
  const [picked, setPicked] = useState<{ price: string; at: number }>();
  const last = tickers?.get(symbol)?.price;

  return (
    <main className="trade-layout">
      <h1 className="sr-only">Trade {symbol}</h1>
      {/* Each panel names its grid area (styles.css); on a phone they stack in this order. */}
      <div className="h-44 min-h-0 [grid-area:watchlist] wide:h-auto">
        <Watchlist tickers={tickers} selected={symbol} onSelect={setChosen} />
      </div>
      <div className="h-80 min-h-0 [grid-area:chart] wide:h-auto">
        <PriceChart symbol={symbol} />
      </div>
      <div className="min-h-0 [grid-area:ticket]" id="order-ticket">
        <OrderTicket
          market={{
            symbol,
            tickPaise: tick,
            bestBid: book.levels('BUY', 1)[0]?.paise,
            bestAsk: book.levels('SELL', 1)[0]?.paise,
            lastPaise: last === undefined ? undefined : paiseOf(last),
          }}
          rules={rules}
          balances={balances}
          pickedPrice={picked}
        />
      </div>
      <div className="min-h-0 [grid-area:book]">
        <DepthLadder
          symbol={symbol}
          book={book}
          orders={orders}
          onPick={(price) => setPicked({ price, at: Date.now() })}
        />
      </div>
      <div className="h-72 min-h-0 [grid-area:orders] wide:h-auto">
        <OrdersPanel orders={orders} />
      </div>
      <div className="h-72 min-h-0 [grid-area:trades] wide:h-auto">
        <TradesTape symbol={symbol} />
      </div>
    </main>
  );
}
