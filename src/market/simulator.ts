// Built-in liquidity: one market maker per symbol quoting a small fixed ladder around a seeded fair
// value, and a few noise traders taking those quotes. Bots trade only through the Exchange's public
// commands (their one privilege is a deposit through `adjust` when a balance runs low), so every
// bot order is journaled and audited like anyone's. Each command is rows on disk, so the bots send
// few: a maker amends a quote in place when its level moves and places one only where a level is
// missing, and a symbol gets one small taker trade once it has not traded (by anyone) for a drawn
// gap, 8 to 18 s by default. Every price is on the tick grid and inside the price band, ticks
// never overlap, and for a given seed, clock and exchange state every decision is the same.

import type { Logger } from 'pino';
import {
  CASH,
  type Exchange,
  type Market,
  type OrderOutcome,
  type OrderRequest,
  type TradingCode,
} from '../exchange/exchange.ts';
import type { Side } from '../store/schema.ts';
import type { UsersRepo } from '../store/users.repo.ts';
import {
  DEFAULT_WALK,
  FairValueWalk,
  mulberry32,
  streamSeed,
  type Rng,
  type WalkParams,
} from './fair-value.ts';
import { ladderCentre, ladderGap, planQuotes, quoteLadder } from './quote-ladder.ts';

export interface SimulatorTuning {
  /** How many noise-trader accounts (`noise-1`, `noise-2`, ...). */
  noiseTraders: number;
  /** Price levels the market maker quotes on each side. */
  quoteLevels: number;
  /** Half the maker's spread, in basis points of the fair value (at least one tick). */
  halfSpreadBps: number;
  /**
   * Distance between the maker's levels, in basis points of the reference price (at least one
   * tick): the grid the ladder sits on.
   */
  levelGapBps: number;
  /** How far the maker leans its quotes away from a full inventory, in basis points. */
  inventorySkewBps: number;
  /** Shares per quote level: a uniform draw from [min, max]. */
  quoteSize: readonly [number, number];
  /**
   * Milliseconds a symbol goes without a trade (by anyone) before a noise trader takes a quote:
   * a uniform draw from [min, max] after each of the bots' trades.
   */
  tradeGapMs: readonly [number, number];
  /** Shares per noise order: a uniform draw from [min, max]. */
  noiseSize: readonly [number, number];
  /** What a market maker holds: cash in paise, shares of its one symbol. */
  makerFunds: { cash: number; shares: number };
  /** What a noise trader holds: cash in paise, shares of every symbol. */
  noiseFunds: { cash: number; shares: number };
  /** A balance is topped back up to its target only once it is below this fraction of it. */
  refillBelow: number;
  /**
   * A maker keeps its ladder until its centre moves this far (or a level is filled): every amend
   * and place is rows in the database, so following every tick would grow it fast.
   */
  requoteBps: number;
  walk: WalkParams;
}

export const DEFAULT_TUNING: SimulatorTuning = {
  noiseTraders: 4,
  quoteLevels: 3,
  halfSpreadBps: 2,
  levelGapBps: 15,
  inventorySkewBps: 20,
  quoteSize: [50, 100],
  tradeGapMs: [8_000, 18_000],
  noiseSize: [1, 5],
  makerFunds: { cash: 5_00_00_000_00, shares: 5_000 }, // ₹5 crore
  noiseFunds: { cash: 50_00_000_00, shares: 500 }, // ₹50 lakh
  refillBelow: 0.5,
  requoteBps: 20,
  walk: DEFAULT_WALK,
};

export interface SimulatorDeps {
  exchange: Exchange;
  users: UsersRepo;
  now: () => number;
  seed: number;
  log?: Logger | undefined;
  /** Milliseconds between ticks once started; default 1000. */
  tickMs?: number | undefined;
  /** The exchange's price band (config.priceBandBps); quotes stay within 90% of it. */
  priceBandBps?: number | undefined;
  tuning?: Partial<SimulatorTuning> | undefined;
}

/** What one tick did. Refusals are expected (a quote already filled, a halted market). */
export interface StepReport {
  /** True when the tick did nothing: the previous one was still running, or the bots stopped. */
  skipped: boolean;
  placed: number;
  amended: number;
  cancelled: number;
  fills: number;
  refused: Partial<Record<TradingCode, number>>;
  /** Commands whose promise rejected (the journal failed); logged, never thrown. */
  failed: number;
  /** Balances refilled because they had fallen below the refill line. */
  deposits: number;
}

/** The inclusive price range the bots use for a market: `bandBps` around its band reference. */
export function priceRange(
  reference: number,
  tick: number,
  bandBps: number,
): { low: number; high: number } {
  // Integer arithmetic, as the exchange checks it: |p - ref| * 10_000 <= ref * band.
  const reach = Math.floor((reference * bandBps) / 10_000);
  return {
    low: Math.max(tick, Math.ceil((reference - reach) / tick) * tick),
    high: Math.floor((reference + reach) / tick) * tick,
  };
}

const SKIPPED: StepReport = {
  skipped: true,
  placed: 0,
  amended: 0,
  cancelled: 0,
  fills: 0,
  refused: {},
  failed: 0,
  deposits: 0,
};

const clamp = (x: number, low: number, high: number): number => Math.min(high, Math.max(low, x));

/** A uniform integer in [min, max]. */
const draw = (rng: Rng, [min, max]: readonly [number, number]): number =>
  min + Math.floor(rng() * (max - min + 1));

interface SymbolBots {
  readonly symbol: string;
  readonly maker: number;
  readonly walk: FairValueWalk;
  /** The ladder's grid step, in paise. */
  readonly gap: number;
  /** The centre the ladder is kept around; undefined before the first quote. */
  quotedAt: number | undefined;
  /** When the symbol last traded, by the simulator's clock (-Infinity: not since start). */
  lastTradeAt: number;
  /** How long after `lastTradeAt` a noise trader takes a quote. */
  tradeGap: number;
}

export class MarketSimulator {
  private readonly exchange: Exchange;
  private readonly tuning: SimulatorTuning;
  private readonly tickMs: number;
  /** The bots use 90% of the exchange's price band, as headroom. */
  private readonly bandBps: number;
  /** Decides sizes, sides, gaps and which noise trader acts; fair values have their own streams. */
  private readonly rng: Rng;
  private readonly symbols = new Map<string, SymbolBots>();
  private noise: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<StepReport> | undefined;
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: SimulatorDeps) {
    this.exchange = deps.exchange;
    this.tuning = { ...DEFAULT_TUNING, ...deps.tuning };
    this.tickMs = deps.tickMs ?? 1000;
    this.bandBps = Math.floor((deps.priceBandBps ?? 2000) * 0.9);
    this.rng = mulberry32(streamSeed(deps.seed, 'bots'));
    // Any trade, a user's as much as a bot's, puts off the symbol's next bot trade.
    this.unsubscribe = this.exchange.subscribe((events) => {
      for (const event of events) {
        const bots = event.kind === 'trade' ? this.symbols.get(event.symbol) : undefined;
        if (bots !== undefined) bots.lastTradeAt = this.deps.now();
      }
    });
  }

  /**
   * Creates any missing bot account and refills any balance below its refill line, so it is safe
   * to run again: every tick does, so a bot drained by trading is funded again. Returns how many
   * deposits it made.
   */
  async setup(): Promise<number> {
    if (this.exchange.stoppedReason !== undefined) return 0; // it refuses deposits too
    const now = this.deps.now();
    for (let i = this.noise.length + 1; i <= this.tuning.noiseTraders; i += 1) {
      this.noise.push(await this.deps.users.ensureSystemUser(`noise-${i}`, now));
    }
    const funded = await Promise.all(
      this.noise.map((id) => this.topUp(id, CASH, this.tuning.noiseFunds.cash)),
    );
    return funded.filter(Boolean).length + (await this.setupMarkets());
  }

  /** The fair value the bots trade a symbol around, in paise (not rounded). */
  fairValue(symbol: string): number | undefined {
    return this.symbols.get(symbol)?.walk.value;
  }

  /** Sets the bots up, then runs a tick every `tickMs` until `stop`. */
  async start(): Promise<void> {
    await this.setup();
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setInterval(() => {
      // step() skips itself while the previous tick is still in flight.
      this.step().catch((error: unknown) =>
        this.deps.log?.error({ err: error }, 'simulator tick failed'),
      );
    }, this.tickMs);
    this.timer.unref();
    this.deps.log?.info(
      { symbols: this.symbols.size, noiseTraders: this.noise.length, tickMs: this.tickMs },
      'market simulator started',
    );
  }

  /**
   * Stops the timer, waits for the tick in flight, and withdraws the makers' quotes so none are
   * left resting while the simulator is off.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
    if (this.exchange.stoppedReason !== undefined) return;
    const makers = new Set([...this.symbols.values()].map((b) => b.maker));
    const cancels = this.exchange
      .openOrders()
      .filter((o) => makers.has(o.userId))
      .map((o) => this.exchange.cancelOrder(o.userId, o.id));
    const results = await Promise.allSettled(cancels);
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) this.deps.log?.warn({ failed }, 'simulator could not withdraw every quote');
    this.deps.log?.info('market simulator stopped');
  }

  /** One tick: every maker tends its ladder, then a noise trader trades where one is due. */
  step(): Promise<StepReport> {
    if (this.inFlight !== undefined || this.stopped) return Promise.resolve({ ...SKIPPED });
    const run = this.runStep().finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }

  // ----------------------------------------------------------------------------------------------

  private async runStep(): Promise<StepReport> {
    if (this.exchange.stoppedReason !== undefined) return { ...SKIPPED };
    const deposits = await this.setup();
    const report: StepReport = { ...SKIPPED, skipped: false, refused: {}, deposits };
    const pending: Promise<void>[] = [];
    const now = this.deps.now();
    // Commands are issued without awaiting in between: the exchange applies each as it is called,
    // in this order, and the journal writes them in one batch.
    for (const market of this.markets()) {
      const bots = this.symbols.get(market.symbol);
      if (bots === undefined) continue;
      const fair = bots.walk.next();
      if (market.status !== 'ACTIVE') continue;
      this.requote(market, bots, fair, report, pending);
      if (now - bots.lastTradeAt >= bots.tradeGap) this.trade(market, bots, fair, report, pending);
    }
    await Promise.all(pending);
    return report;
  }

  private markets(): Market[] {
    return this.exchange
      .allMarkets()
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /**
   * Gives every newly listed symbol its maker and fair value, and refills the makers' and the noise
   * traders' balances in every symbol.
   */
  private async setupMarkets(): Promise<number> {
    let deposits = 0;
    for (const market of this.markets()) {
      let bots = this.symbols.get(market.symbol);
      if (bots === undefined) {
        const maker = await this.deps.users.ensureSystemUser(
          `mm-${market.symbol.toLowerCase()}`,
          this.deps.now(),
        );
        const start = market.book.lastPrice ?? market.referencePrice;
        bots = {
          symbol: market.symbol,
          maker,
          walk: new FairValueWalk(
            market.referencePrice,
            start,
            streamSeed(this.deps.seed, `fair:${market.symbol}`),
            this.tuning.walk,
          ),
          gap: ladderGap(market.referencePrice, market.tickSize, this.tuning.levelGapBps),
          // Quotes left resting by an earlier run are moved onto the first ladder, not replaced.
          quotedAt: undefined,
          lastTradeAt: -Infinity,
          tradeGap: 0,
        };
        this.symbols.set(market.symbol, bots);
      }
      const { makerFunds, noiseFunds } = this.tuning;
      const funded = await Promise.all([
        this.topUp(bots.maker, CASH, makerFunds.cash),
        this.topUp(bots.maker, market.symbol, makerFunds.shares),
        ...this.noise.map((id) => this.topUp(id, market.symbol, noiseFunds.shares)),
      ]);
      deposits += funded.filter(Boolean).length;
    }
    return deposits;
  }

  /** Deposits up to `target` when the balance has fallen below the refill line; true if it did. */
  private async topUp(userId: number, asset: string, target: number): Promise<boolean> {
    const { available, held } = this.exchange.ledger.balance(userId, asset);
    const total = available + held;
    if (total >= target * this.tuning.refillBelow) return false;
    const result = await this.exchange.adjust(userId, asset, target - total, 'simulator top-up');
    if (!result.ok) {
      this.deps.log?.warn({ userId, asset, code: result.code }, 'simulator top-up refused');
      return false;
    }
    return true;
  }

  /**
   * Moves the maker's resting quotes onto its ladder with the fewest commands (see planQuotes).
   * The ladder follows the centre only once it has moved `requoteBps`; a filled level is placed
   * again at once. A level the book has already crossed (someone else's order) waits a tick.
   */
  private requote(
    market: Market,
    bots: SymbolBots,
    fair: number,
    report: StepReport,
    pending: Promise<void>[],
  ): void {
    const { maker } = bots;
    const t = this.tuning;
    const shares = this.exchange.ledger.balance(maker, market.symbol);
    const lean = clamp(
      (shares.available + shares.held - t.makerFunds.shares) / t.makerFunds.shares,
      -1,
      1,
    );
    const center = fair * (1 - (lean * t.inventorySkewBps) / 10_000);
    bots.quotedAt = ladderCentre(bots.quotedAt, center, t.requoteBps);
    const range = this.range(market);
    const inRange = (p: number) => p >= range.low && p <= range.high;
    const half = Math.max(market.tickSize, (bots.quotedAt * t.halfSpreadBps) / 10_000);
    const ladder = quoteLadder(bots.quotedAt, bots.gap, t.quoteLevels, half);
    const target = { bids: ladder.bids.filter(inRange), asks: ladder.asks.filter(inRange) };
    const resting = this.exchange
      .openOrders()
      .filter((o) => o.userId === maker && o.symbol === market.symbol)
      .map((o) => ({ id: o.id, side: o.side, price: o.price ?? 0 }));
    for (const action of planQuotes(resting, target)) {
      if (action.kind === 'cancel') {
        pending.push(
          this.track(this.exchange.cancelOrder(maker, action.id), report, (outcome) => {
            if (outcome.ok) report.cancelled += 1;
          }),
        );
        continue;
      }
      // Commands apply as they are called, so the book read here is the one the command meets.
      const top = market.book.topOfBook();
      const crossed =
        action.side === 'BUY'
          ? top.ask !== null && top.ask.price <= action.price
          : top.bid !== null && top.bid.price >= action.price;
      if (crossed) continue;
      if (action.kind === 'amend') {
        const amend = this.exchange.amendOrder(maker, action.id, { price: action.price });
        pending.push(
          this.track(amend, report, (outcome) => {
            if (outcome.ok) report.amended += 1;
          }),
        );
        continue;
      }
      const wanted = draw(this.rng, t.quoteSize);
      const asset = action.side === 'SELL' ? market.symbol : CASH;
      const { available } = this.exchange.ledger.balance(maker, asset);
      const quantity = Math.min(
        wanted,
        // A buy keeps headroom for fees.
        action.side === 'SELL' ? available : Math.floor((available * 0.9) / action.price),
      );
      if (quantity <= 0) continue;
      const request: OrderRequest = {
        symbol: market.symbol,
        side: action.side,
        mode: 'LIMIT',
        quantity,
        price: action.price,
        timeInForce: 'GTC',
        postOnly: true,
      };
      pending.push(
        this.track(this.exchange.placeOrder(maker, request), report, (outcome) => {
          if (outcome.ok) report.placed += 1;
        }),
      );
    }
  }

  /**
   * One noise trader takes the best quote on one side: a limit IOC at that price for no more
   * than rests there, so it fills at once and holds exactly what it pays (no release to write).
   */
  private trade(
    market: Market,
    bots: SymbolBots,
    fair: number,
    report: StepReport,
    pending: Promise<void>[],
  ): void {
    const t = this.tuning;
    const trader = this.noise[Math.floor(this.rng() * this.noise.length)];
    const sideDraw = this.rng();
    const wanted = draw(this.rng, t.noiseSize);
    bots.tradeGap = draw(this.rng, t.tradeGapMs);
    bots.lastTradeAt = this.deps.now();
    if (trader === undefined) return;

    const shares = this.exchange.ledger.balance(trader, market.symbol).available;
    const cash = this.exchange.ledger.balance(trader, CASH).available;
    // Lean towards buying when short of the target inventory and selling when long, so a
    // trader's holdings wander around the target instead of running out.
    const target = t.noiseFunds.shares;
    const buyChance = clamp(0.5 - (0.4 * (shares - target)) / target, 0.1, 0.9);
    const side: Side = sideDraw < buyChance ? 'BUY' : 'SELL';
    const top = market.book.topOfBook();
    const opposite = side === 'BUY' ? top.ask : top.bid;
    if (opposite === null) return; // nothing to take
    const range = this.range(market);
    if (opposite.price < range.low || opposite.price > range.high) return;
    const affordable = Math.floor(cash / (Math.max(opposite.price, fair) * 1.1));
    const quantity = Math.min(wanted, opposite.quantity, side === 'BUY' ? affordable : shares);
    if (quantity <= 0) return;
    const request: OrderRequest = {
      symbol: market.symbol,
      side,
      mode: 'LIMIT',
      quantity,
      price: opposite.price,
      timeInForce: 'IOC',
    };
    pending.push(
      this.track(this.exchange.placeOrder(trader, request), report, (outcome) => {
        if (!outcome.ok) return;
        report.placed += 1;
        report.fills += outcome.fills.length;
      }),
    );
  }

  /** The prices the bots may send now: inside the band around the last trade (or reference). */
  private range(market: Market): { low: number; high: number } {
    const reference = market.book.lastPrice ?? market.referencePrice;
    return priceRange(reference, market.tickSize, this.bandBps);
  }

  /** Counts a command's outcome into the report; a refusal is tallied, a failure logged. */
  private track(
    command: Promise<OrderOutcome>,
    report: StepReport,
    onOutcome: (outcome: OrderOutcome) => void,
  ): Promise<void> {
    return command.then(
      (outcome) => {
        if (!outcome.ok) report.refused[outcome.code] = (report.refused[outcome.code] ?? 0) + 1;
        onOutcome(outcome);
      },
      (error: unknown) => {
        report.failed += 1;
        this.deps.log?.error({ err: error }, 'simulator command failed');
      },
    );
  }
}
