// The order book depth ladder: asks above, bids below, each level with its size and a bar for
// the running total; kept from /ws/market by useBook (snapshot, deltas, resync on a gap).
// Clicking a level copies its price into the order ticket.

import type { LadderLevel, LocalBook } from '../live/local-book.ts';
import { price, rupees, shares } from '../money.ts';
import { Panel } from './form.tsx';

const ROWS = 12;

function Side(props: {
  levels: LadderLevel[];
  side: 'BUY' | 'SELL';
  max: number;
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
      {rows.map(({ level, running: total }) => (
        <tr
          key={level.paise}
          className="relative hover:bg-edge/50"
          data-price={level.price}
          data-quantity={level.quantity}
        >
          <td className={`num px-3 py-0.5 ${colour}`}>
            <span
              className={`absolute inset-y-0 right-0 ${bar}`}
              style={{ width: `${Math.round((total * 100) / Math.max(1, props.max))}%` }}
              aria-hidden="true"
            />
            <button
              type="button"
              className="relative"
              onClick={() => props.onPick(level.price)}
              aria-label={`Use price ${level.price}`}
            >
              {price(level.price)}
            </button>
          </td>
          <td className="num px-3 py-0.5 text-right">{shares(level.quantity)}</td>
          <td className="num px-3 py-0.5 text-right text-dim">{shares(total)}</td>
        </tr>
      ))}
    </tbody>
  );
}

export function DepthLadder(props: {
  symbol: string;
  book: LocalBook;
  onPick: (price: string) => void;
}) {
  const { book } = props;
  const bids = book.levels('BUY', ROWS);
  const asks = book.levels('SELL', ROWS);
  const sum = (levels: LadderLevel[]) => levels.reduce((n, l) => n + l.quantity, 0);
  const max = Math.max(sum(bids), sum(asks));
  const spread =
    bids[0] !== undefined && asks[0] !== undefined ? asks[0].paise - bids[0].paise : undefined;
  return (
    <Panel
      title="Order book"
      className="h-full"
      actions={
        <span
          className="num text-xs text-dim"
          data-testid="book-sequence"
          data-sequence={book.sequence ?? ''}
        >
          {book.synced ? `seq ${book.sequence}` : 'syncing…'}
        </span>
      }
    >
      <div className="h-full overflow-auto">
        <table
          className="w-full text-sm"
          data-testid="depth-ladder"
          aria-label={`${props.symbol} order book`}
        >
          <thead className="text-xs text-dim">
            <tr>
              <th className="px-3 py-1 text-left font-normal">Price ₹</th>
              <th className="px-3 py-1 text-right font-normal">Size</th>
              <th className="px-3 py-1 text-right font-normal">Total</th>
            </tr>
          </thead>
          <Side levels={asks} side="SELL" max={max} onPick={props.onPick} />
          <tbody>
            <tr>
              <td
                colSpan={3}
                className="num border-y border-edge px-3 py-0.5 text-center text-xs text-dim"
              >
                {spread === undefined ? 'no spread' : `spread ${rupees(spread, { symbol: false })}`}
              </td>
            </tr>
          </tbody>
          <Side levels={bids} side="BUY" max={max} onPick={props.onPick} />
        </table>
      </div>
    </Panel>
  );
}
