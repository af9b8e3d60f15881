// The order book: the depth ladder (asks above, bids below, each level with its size and a bar
// for the running total, the user's own resting shares marked) and the depth chart of the same
// levels, kept from /ws/market by useBook (snapshot, deltas, resync on a gap). Side by side on a
// wide panel, stacked on a tall one, and behind tabs when there is room for only one.
// Clicking a level copies its price into the order ticket.

import { useEffect, useMemo, useRef, useState } from 'react';
import type { Order } from '../api/types.ts';
import type { LadderLevel, LocalBook } from '../live/local-book.ts';
import { levelKey, ownLevels } from '../live/own-levels.ts';
import { price, rupees, shares } from '../money.ts';
import { DepthChart } from './depth-chart.tsx';
import { useElementSize } from './element-size.ts';
import { Panel, Tab } from './form.tsx';

const ROWS = 12;
/** Below this panel width the chart goes under the ladder; below the height, behind a tab. */
const SIDE_BY_SIDE = 560;
const STACKED = 380;

type Layout = 'side' | 'stacked' | 'tabs';
const layoutFor = ({ width, height }: { width: number; height: number }): Layout =>
  width >= SIDE_BY_SIDE ? 'side' : height >= STACKED ? 'stacked' : 'tabs';

function Side(props: {
  levels: LadderLevel[];
  side: 'BUY' | 'SELL';
  max: number;
  own: Map<string, number>;
  onPick: (price: string) => void;
}) {
  let running = 0;
  const rows = props.levels.map((level) => {
    running += level.quantity;
    return { level, running };
  });
  if (props.side === 'SELL') rows.reverse();
  const colour = props.side === 'BUY' ? 'text-up' : 'text-down';
  const bar = props.side === 'BUY' ? 'bg-up/15' : 'bg-down/15';
  return (
    <tbody data-side={props.side}>
      {rows.map(({ level, running: total }) => {
        const mine = props.own.get(levelKey(props.side, level.paise));
        return (
          <tr
            key={level.paise}
            className="relative hover:bg-edge/50"
            data-price={level.price}
            data-quantity={level.quantity}
            data-own={mine}
          >
            <td className={`num px-2 py-0.5 ${colour}`}>
              <span
                className={`absolute inset-y-0 right-0 ${bar}`}
                style={{ width: `${Math.round((total * 100) / Math.max(1, props.max))}%` }}
                aria-hidden="true"
              />
              {mine !== undefined && (
                <span className="absolute inset-y-0 left-0 w-0.5 bg-accent" aria-hidden="true" />
              )}
              <button
                type="button"
                className="relative"
                onClick={() => props.onPick(level.price)}
                aria-label={`Use price ${level.price}`}
              >
                {price(level.price)}
              </button>
            </td>
            <td className="num px-2 py-0.5 text-right">
              {mine !== undefined && (
                <span
                  className="relative mr-1 rounded bg-accent/20 px-1 text-xs text-accent"
                  title={`Your resting orders: ${shares(mine)} shares`}
                  data-testid="own-quantity"
                >
                  • {shares(mine)}
                </span>
              )}
              <span className="relative">{shares(level.quantity)}</span>
            </td>
            <td className="num relative px-2 py-0.5 text-right text-dim">{shares(total)}</td>
          </tr>
        );
      })}
    </tbody>
  );
}

function Ladder(props: {
  symbol: string;
  bids: LadderLevel[];
  asks: LadderLevel[];
  own: Map<string, number>;
  onPick: (price: string) => void;
}) {
  const { bids, asks } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const spreadRow = useRef<HTMLTableRowElement>(null);
  const centred = useRef<string>(undefined);
  const sum = (levels: LadderLevel[]) => levels.reduce((n, l) => n + l.quantity, 0);
  const max = Math.max(sum(bids), sum(asks));
  const spread =
    bids[0] !== undefined && asks[0] !== undefined ? asks[0].paise - bids[0].paise : undefined;
  const hasLevels = bids.length + asks.length > 0;

  // A ladder taller than its panel opens on the spread, not on the farthest asks; once per
  // symbol, so it never pulls away from where the user scrolled.
  useEffect(() => {
    const box = scroller.current;
    const row = spreadRow.current;
    if (!hasLevels || box === null || row === null || centred.current === props.symbol) return;
    centred.current = props.symbol;
    const boxRect = box.getBoundingClientRect();
    const rowRect = row.getBoundingClientRect();
    box.scrollTop += rowRect.top - boxRect.top - (boxRect.height - rowRect.height) / 2;
  }, [hasLevels, props.symbol]);

  return (
    <div ref={scroller} className="h-full overflow-auto">
      <table
        className="w-full text-sm"
        data-testid="depth-ladder"
        aria-label={`${props.symbol} order book`}
      >
        <thead className="sticky top-0 z-10 bg-panel text-xs text-dim">
          <tr>
            <th className="px-2 py-1 text-left font-normal">Price ₹</th>
            <th className="px-2 py-1 text-right font-normal">Size</th>
            <th className="px-2 py-1 text-right font-normal">Total</th>
          </tr>
        </thead>
        <Side levels={asks} side="SELL" max={max} own={props.own} onPick={props.onPick} />
        <tbody>
          <tr ref={spreadRow}>
            <td
              colSpan={3}
              className="num border-y border-edge px-2 py-0.5 text-center text-xs text-dim"
            >
              {spread === undefined ? 'no spread' : `spread ${rupees(spread, { symbol: false })}`}
            </td>
          </tr>
        </tbody>
        <Side levels={bids} side="BUY" max={max} own={props.own} onPick={props.onPick} />
      </table>
    </div>
  );
}

export function DepthLadder(props: {
  symbol: string;
  book: LocalBook;
  /** The signed-in user's orders, to mark their resting shares on the ladder. */
  orders: Map<number, Order> | undefined;
  onPick: (price: string) => void;
}) {
  const { book, symbol } = props;
  const body = useRef<HTMLDivElement>(null);
  const layout = layoutFor(useElementSize(body));
  const [tab, setTab] = useState<'ladder' | 'depth'>('ladder');
  const bids = book.levels('BUY', ROWS);
  const asks = book.levels('SELL', ROWS);
  const own = useMemo(
    () => ownLevels(props.orders?.values() ?? [], symbol),
    [props.orders, symbol],
  );
  const showLadder = layout !== 'tabs' || tab === 'ladder';
  const showChart = layout !== 'tabs' || tab === 'depth';

  return (
    <Panel
      title={
        layout === 'tabs' ? (
          // No room for both: the views are the panel's tabs, as on the Merkle page.
          <span role="tablist" aria-label="Book view" className="flex gap-1 normal-case">
            <Tab selected={tab === 'ladder'} onSelect={() => setTab('ladder')} className="px-1.5">
              Order book
            </Tab>
            <Tab selected={tab === 'depth'} onSelect={() => setTab('depth')} className="px-1.5">
              Depth
            </Tab>
          </span>
        ) : (
          'Order book'
        )
      }
      className="h-full"
      actions={
        <span
          className="num whitespace-nowrap text-xs text-dim"
          data-testid="book-sequence"
          data-sequence={book.sequence ?? ''}
        >
          {book.synced ? `seq ${book.sequence}` : 'syncing…'}
        </span>
      }
    >
      <div
        ref={body}
        className={`flex h-full min-h-0 ${layout === 'side' ? 'flex-row' : 'flex-col'}`}
        data-layout={layout}
      >
        {showLadder && (
          <div
            className={
              layout === 'side'
                ? 'h-full w-72 shrink-0 border-r border-edge'
                : layout === 'stacked'
                  ? 'min-h-0 flex-[3]'
                  : 'min-h-0 flex-1'
            }
          >
            <Ladder symbol={symbol} bids={bids} asks={asks} own={own} onPick={props.onPick} />
          </div>
        )}
        {showChart && (
          <div
            className={
              layout === 'stacked' ? 'min-h-0 flex-[2] border-t border-edge' : 'min-h-0 flex-1'
            }
          >
            <DepthChart symbol={symbol} bids={bids} asks={asks} />
          </div>
        )}
      </div>
    </Panel>
  );
}
