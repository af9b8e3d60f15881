// Cumulative depth of a book, the curve a depth chart draws: each side from its best level
// outward, with the running total of shares a market order would meet down (bids) or up (asks)
// to each price. Pure; prices are integer paise, quantities whole shares.

import type { LadderLevel } from './local-book.ts';

export interface DepthStep {
  paise: number;
  price: string;
  quantity: number;
  /** Shares at this level and every better one. */
  cumulative: number;
}

export interface Depth {
  bids: DepthStep[];
  asks: DepthStep[];
  /** Midpoint of the best bid and ask (paise, may be half a paisa); undefined on a one-sided book. */
  mid: number | undefined;
  spread: number | undefined;
  /** The price range the chart shows: centred on the mid, wide enough for both sides. */
  low: number;
  high: number;
  /** The larger side's total: the top of the quantity axis. */
  peak: number;
}

/** Levels best first (bids high to low, asks low to high), as LocalBook.levels gives them. */
export function cumulative(levels: readonly LadderLevel[]): DepthStep[] {
  let running = 0;
  return levels.map((level) => {
    running += level.quantity;
    return {
      paise: level.paise,
      price: level.price,
      quantity: level.quantity,
      cumulative: running,
    };
  });
}

export function depthOf(
  bidLevels: readonly LadderLevel[],
  askLevels: readonly LadderLevel[],
): Depth {
  const bids = cumulative(bidLevels);
  const asks = cumulative(askLevels);
  const bestBid = bids[0]?.paise;
  const bestAsk = asks[0]?.paise;
  const both = bestBid !== undefined && bestAsk !== undefined;
  const mid = both ? (bestBid + bestAsk) / 2 : (bestBid ?? bestAsk);
  const spread = both ? bestAsk - bestBid : undefined;
  const lowest = bids.at(-1)?.paise ?? mid ?? 0;
  const highest = asks.at(-1)?.paise ?? mid ?? 0;
  // A little room past the farther side's last level, and never a zero-width range.
  const reach = Math.max((mid ?? 0) - lowest, highest - (mid ?? 0), 1) * 1.05;
  return {
    bids,
    asks,
    mid: both ? mid : undefined,
    spread,
    low: (mid ?? 0) - reach,
    high: (mid ?? 0) + reach,
    peak: Math.max(bids.at(-1)?.cumulative ?? 0, asks.at(-1)?.cumulative ?? 0),
  };
}

/**
 * The level a pointer at `paise` reads: on the bid side of the mid, the nearest bid; on the ask
 * side, the nearest ask. Undefined when that side is empty.
 */
export function stepAt(
  depth: Depth,
  paise: number,
): { side: 'BUY' | 'SELL'; step: DepthStep } | undefined {
  const side =
    depth.mid === undefined
      ? depth.bids.length > 0
        ? 'BUY'
        : 'SELL'
      : paise < depth.mid
        ? 'BUY'
        : 'SELL';
  const steps = side === 'BUY' ? depth.bids : depth.asks;
  let nearest: DepthStep | undefined;
  for (const step of steps)
    if (nearest === undefined || Math.abs(step.paise - paise) < Math.abs(nearest.paise - paise))
      nearest = step;
  return nearest === undefined ? undefined : { side, step: nearest };
}
