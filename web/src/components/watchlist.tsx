// Every listed symbol with its last price and change since the open, live; choosing one sets
// the symbol the chart, book, tape and ticket show.

import type { Ticker } from '../api/types.ts';
import { paiseOf, percentText, price, tone } from '../money.ts';
import { Panel } from './form.tsx';

export function Watchlist(props: {
  tickers: Map<string, Ticker> | undefined;
  selected: string;
  onSelect: (symbol: string) => void;
}) {
  const rows = [...(props.tickers?.values() ?? [])].sort((a, b) =>
    a.symbol.localeCompare(b.symbol),
  );
  return (
    <Panel title="Watchlist" className="h-full">
      <ul className="h-full overflow-auto" aria-label="Watchlist" data-testid="watchlist">
        {rows.map((t) => {
          const change = paiseOf(t.change);
          return (
            <li key={t.symbol}>
              <button
                type="button"
                onClick={() => props.onSelect(t.symbol)}
                aria-pressed={t.symbol === props.selected}
                className="grid w-full grid-cols-[1fr_auto] gap-x-2 px-3 py-1.5 text-left hover:bg-edge/50 aria-[pressed=true]:bg-edge"
                title={t.name}
              >
                <span className="font-semibold">{t.symbol}</span>
                <span className="num text-right" data-testid={`last-${t.symbol}`}>
                  {price(t.price)}
                </span>
                <span className="truncate text-xs text-dim">
                  {t.status === 'ACTIVE' ? t.name : `${t.status} · ${t.name}`}
                </span>
                <span className={`num text-right text-xs ${tone(change)}`}>
                  {percentText(t.change_percent)}
                </span>
              </button>
            </li>
          );
        })}
        {props.tickers === undefined && <li className="px-3 py-2 text-dim">Loading…</li>}
      </ul>
    </Panel>
  );
}
