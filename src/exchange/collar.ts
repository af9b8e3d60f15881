// The market collar: the price a market or stop-loss order may not fill beyond, `bps` away from
// its base price and on the tick grid, rounded against the order. Pure integers (paise); the
// terminal's order ticket uses the same functions to show what a market buy will hold.

/** The highest price a buy may pay: base plus bps, rounded up to a tick. */
export function buyCollar(base: number, bps: number, tick: number): number {
  const cap = base + Math.ceil((base * bps) / 10_000);
  return Math.ceil(cap / tick) * tick;
}

/** The lowest price a sell may take: base minus bps, rounded down to a tick, at least one tick. */
export function sellCollar(base: number, bps: number, tick: number): number {
  const floor = base - Math.floor((base * bps) / 10_000);
  return Math.max(tick, Math.floor(floor / tick) * tick);
}
