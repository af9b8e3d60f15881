// A market maker's ladder and the fewest order actions that move its resting quotes onto it.
// Ladder prices sit on a fixed grid (a whole number of ticks), so a small move of the centre
// changes one level per side, not all of them; every action is an audited journal write, so
// quoting cost on disk is the number of actions. Pure: no clock, no randomness, no I/O.

import type { Side } from '../store/schema.ts';

/** Prices best first: bids descending, asks ascending, every bid below every ask. */
export interface Ladder {
  bids: number[];
  asks: number[];
}

/** A maker's order resting in the book. */
export interface RestingQuote {
  id: number;
  side: Side;
  price: number;
}

/** One command for the exchange; run them in the order given and the book never crosses. */
export type QuoteAction =
  | { kind: 'cancel'; id: number }
  | { kind: 'amend'; id: number; side: Side; price: number }
  | { kind: 'place'; side: Side; price: number };

/** The ladder's grid step: `gapBps` of `reference` as a whole number of ticks, at least one. */
export function ladderGap(reference: number, tick: number, gapBps: number): number {
  return Math.max(1, Math.round((reference * gapBps) / 10_000 / tick)) * tick;
}

/**
 * The centre a ladder is kept around: the last one until `center` has moved `requoteBps` from
 * it, so a fair value that jitters about a grid line does not amend a level to and fro.
 */
export function ladderCentre(
  quotedAt: number | undefined,
  center: number,
  requoteBps: number,
): number {
  if (quotedAt === undefined) return center;
  return Math.abs(center - quotedAt) * 10_000 >= requoteBps * quotedAt ? center : quotedAt;
}

/**
 * The grid levels just outside `center ± half`: `levels` asks, and as many bids as stay above
 * zero. On the grid, so a centre that moves by less than a gap keeps most of the same prices.
 */
export function quoteLadder(center: number, gap: number, levels: number, half: number): Ladder {
  const bestBid = Math.floor((center - half) / gap) * gap;
  let bestAsk = Math.ceil((center + half) / gap) * gap;
  if (bestAsk <= bestBid) bestAsk = bestBid + gap;
  const bids: number[] = [];
  const asks: number[] = [];
  for (let i = 0; i < levels; i += 1) {
    const bid = bestBid - i * gap;
    if (bid > 0) bids.push(bid);
    asks.push(bestAsk + i * gap);
  }
  return { bids, asks };
}

/**
 * What takes `resting` onto `target`: a resting quote already at a target price stays; a quote
 * off the ladder is amended in place to a missing price, or cancelled when none is missing; a
 * missing price nothing can be moved to is placed. Cancels come first, then amends that move a
 * quote away from the spread, then those that move towards it, then places: at every step each
 * quote is at its target or further from the spread, so the maker never crosses itself.
 */
export function planQuotes(resting: readonly RestingQuote[], target: Ladder): QuoteAction[] {
  const cancels: QuoteAction[] = [];
  const away: QuoteAction[] = [];
  const towards: QuoteAction[] = [];
  const places: QuoteAction[] = [];
  for (const side of ['BUY', 'SELL'] as const) {
    const prices = side === 'BUY' ? target.bids : target.asks;
    const taken = new Set<number>();
    const stale: RestingQuote[] = [];
    for (const quote of resting) {
      if (quote.side !== side) continue;
      if (prices.includes(quote.price) && !taken.has(quote.price)) taken.add(quote.price);
      else stale.push(quote);
    }
    const missing = prices.filter((p) => !taken.has(p));
    // Nearest-to-spread stale quotes take the best missing prices: the least movement.
    const better = (a: number, b: number) => (side === 'BUY' ? b - a : a - b);
    stale.sort((a, b) => better(a.price, b.price));
    stale.forEach((quote, i) => {
      const price = missing[i];
      if (price === undefined) return cancels.push({ kind: 'cancel', id: quote.id });
      const retreats = side === 'BUY' ? price < quote.price : price > quote.price;
      (retreats ? away : towards).push({ kind: 'amend', id: quote.id, side, price });
    });
    for (const price of missing.slice(stale.length)) places.push({ kind: 'place', side, price });
  }
  return [...cancels, ...away, ...towards, ...places];
}
