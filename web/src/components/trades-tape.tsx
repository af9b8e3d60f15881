// The trades tape: the newest prints of one symbol, coloured by the aggressor's side.

import { useTrades } from '../live/market-hooks.ts';
import { price, shares } from '../money.ts';
import { timeOfDay } from '../time.ts';
import { Panel } from './form.tsx';

export function TradesTape({ symbol }: { symbol: string }) {
  const trades = useTrades(symbol);
  return (
    <Panel title="Trades" className="h-full">
      <div className="h-full overflow-auto">
        <table className="w-full text-sm" data-testid="trades-tape" aria-label={`${symbol} trades`}>
          <thead className="text-xs text-dim">
            <tr>
              <th className="px-3 py-1 text-left font-normal">Time</th>
              <th className="px-3 py-1 text-right font-normal">Price ₹</th>
              <th className="px-3 py-1 text-right font-normal">Qty</th>
            </tr>
          </thead>
          <tbody>
            {trades?.map((t) => (
              <tr key={t.trade_id}>
                <td className="num px-3 py-0.5 text-dim">{timeOfDay(t.time)}</td>
                <td
                  className={`num px-3 py-0.5 text-right ${t.side === 'BUY' ? 'text-up' : 'text-down'}`}
                >
                  {price(t.price)}
                </td>
                <td className="num px-3 py-0.5 text-right">{shares(t.quantity)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {trades?.length === 0 && <p className="px-3 py-2 text-dim">No trades yet.</p>}
      </div>
    </Panel>
  );
}
