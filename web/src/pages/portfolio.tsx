// The portfolio: cash available and held, holdings valued at the live last price with their
// P&L, the allocation, and the ledger's transactions with a CSV export. Live: balances from
// /ws/portfolio (a change reloads the cost basis), prices from the ticker stream.

import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { Portfolio } from '../api/types.ts';
import { AllocationChart } from '../components/allocation-chart.tsx';
import { Panel } from '../components/form.tsx';
import { TransactionsTable } from '../components/transactions-table.tsx';
import { useTickers } from '../live/market-hooks.ts';
import { useBalances } from '../live/private-feed.ts';
import { paiseOf, percent, price, rupees, shares, tone } from '../money.ts';

function usePortfolio(balancesVersion: unknown): Portfolio | undefined {
  const [portfolio, setPortfolio] = useState<Portfolio>();
  useEffect(() => {
    // Balance updates come in bursts (one per fill): reload once they settle.
    const timer = window.setTimeout(() => {
      void api.get<Portfolio>('/api/trading/portfolio').then(setPortfolio);
    }, 150);
    return () => window.clearTimeout(timer);
  }, [balancesVersion]);
  return portfolio;
}

export function PortfolioPage() {
  const balances = useBalances();
  const portfolio = usePortfolio(balances);
  const tickers = useTickers();

  if (portfolio === undefined) {
    return (
      <main className="p-4 text-dim" role="status">
        Loading portfolio…
      </main>
    );
  }
  // Cash straight from the live balances; holdings at the live last price.
  const inr = balances?.get('INR');
  const available =
    inr === undefined ? paiseOf(portfolio.cash.available) : paiseOf(String(inr.available));
  const held = inr === undefined ? paiseOf(portfolio.cash.held) : paiseOf(String(inr.held));
  const holdings = portfolio.holdings.map((h) => {
    const last = paiseOf(tickers?.get(h.symbol)?.price ?? h.current_price);
    const value = last * h.quantity;
    const cost = paiseOf(h.cost_basis);
    return { ...h, last, value, cost, pnl: value - cost };
  });
  const invested = holdings.reduce((n, h) => n + h.value, 0);
  const unrealized = holdings.reduce((n, h) => n + h.pnl, 0);
  const realized = paiseOf(portfolio.realized_pnl);
  const figure = (label: string, value: string, id: string, colour = '') => (
    <div className="min-w-0 rounded border border-edge bg-panel px-4 py-3">
      <div className="text-xs text-dim">{label}</div>
      {/* Never clipped: the figure shrinks with the tile and, at worst, wraps. */}
      <div
        className={`num text-[clamp(0.95rem,3.6vw,1.125rem)] font-semibold [overflow-wrap:anywhere] ${colour}`}
        data-testid={id}
      >
        {value}
      </div>
    </div>
  );

  return (
    <main className="flex flex-col gap-3 p-3">
      <h1 className="text-lg font-semibold">Portfolio</h1>
      <div className="grid grid-cols-[repeat(auto-fit,minmax(10.5rem,1fr))] gap-3">
        {figure('Total value', rupees(available + held + invested), 'total-value')}
        {figure('Cash available', rupees(available), 'cash-available')}
        {figure('Cash held by open orders', rupees(held), 'cash-held')}
        {figure(
          'Unrealised P&L',
          rupees(unrealized, { sign: true }),
          'unrealized',
          tone(unrealized),
        )}
        {figure('Realised P&L', rupees(realized, { sign: true }), 'realized', tone(realized))}
      </div>
      <div className="grid grid-cols-[minmax(0,1fr)] gap-3 wide:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Panel title="Holdings">
          <div className="overflow-x-auto">
            <table className="w-full whitespace-nowrap text-sm" data-testid="holdings">
              <thead className="text-xs text-dim">
                <tr>
                  {[
                    'Symbol',
                    'Quantity',
                    'Held',
                    'Avg price ₹',
                    'Last ₹',
                    'Value',
                    'P&L',
                    'P&L %',
                  ].map((h, i) => (
                    <th
                      key={h}
                      className={`px-3 py-1 font-normal ${i === 0 ? 'text-left' : 'text-right'}`}
                    >
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {holdings.map((h) => (
                  <tr key={h.symbol} className="border-t border-edge/60" data-symbol={h.symbol}>
                    <td className="px-3 py-1 font-semibold">{h.symbol}</td>
                    <td className="num px-3 py-1 text-right">{shares(h.quantity)}</td>
                    <td className="num px-3 py-1 text-right text-dim">{shares(h.held)}</td>
                    <td className="num px-3 py-1 text-right">{price(h.avg_price)}</td>
                    <td className="num px-3 py-1 text-right">
                      {rupees(h.last, { symbol: false })}
                    </td>
                    <td className="num px-3 py-1 text-right">{rupees(h.value)}</td>
                    <td className={`num px-3 py-1 text-right ${tone(h.pnl)}`}>
                      {rupees(h.pnl, { sign: true })}
                    </td>
                    <td className={`num px-3 py-1 text-right ${tone(h.pnl)}`}>
                      {percent(h.pnl, h.cost)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {holdings.length === 0 && <p className="px-3 py-2 text-dim">No shares yet.</p>}
        </Panel>
        <Panel title="Allocation">
          <div className="p-3">
            <AllocationChart
              slices={[
                { label: 'Cash', paise: available + held },
                ...holdings.map((h) => ({ label: h.symbol, paise: h.value })),
              ]}
            />
          </div>
        </Panel>
      </div>
      <TransactionsTable version={balances} />
    </main>
  );
}
