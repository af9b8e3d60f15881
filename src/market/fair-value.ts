// The simulator's idea of what each symbol is worth: a seeded, mean-reverting geometric random
// walk. Pure: the same seed, anchor and parameters always give the same path, and the value never
// leaves the corridor of ±maxDeviation around the anchor.

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small, fast 32-bit PRNG; plenty for a market simulation, not for secrets. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Derives an independent 32-bit seed for one stream (a symbol, the bots) from the master seed. */
export function streamSeed(seed: number, stream: string): number {
  // FNV-1a over the stream name, mixed with the seed, then one round of avalanche.
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < stream.length; i += 1) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/** One standard normal sample (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log(0) would be -Infinity
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export interface WalkParams {
  /** Standard deviation of the log return per step (0.0012 = 0.12%). */
  volatility: number;
  /** Fraction of the log distance to the anchor closed per step (an Ornstein–Uhlenbeck pull). */
  reversion: number;
  /** The value stays within anchor × (1 ± maxDeviation). */
  maxDeviation: number;
}

/**
 * At the simulator's default of one step a second: about 0.15% a minute, with a pull that keeps
 * the typical distance from the anchor near 1.5% (so a maker's ladder moves a level about once a
 * minute, not every step), and a hard corridor of ±15% that keeps every quote well inside a 20%
 * band.
 */
export const DEFAULT_WALK: WalkParams = {
  volatility: 0.0002,
  reversion: 0.0001,
  maxDeviation: 0.15,
};

/** The next log deviation from the anchor, given a standard normal shock `z`. */
export function nextDeviation(x: number, z: number, params: WalkParams): number {
  const lo = Math.log(1 - params.maxDeviation);
  const hi = Math.log(1 + params.maxDeviation);
  const next = (1 - params.reversion) * x + params.volatility * z;
  return Math.min(hi, Math.max(lo, next));
}

/** A fair value: starts at `start` (clamped into the corridor) and moves one step a call. */
export class FairValueWalk {
  private deviation: number;
  private readonly rng: Rng;

  constructor(
    readonly anchor: number,
    start: number,
    seed: number,
    private readonly params: WalkParams = DEFAULT_WALK,
  ) {
    if (!(anchor > 0) || !(start > 0)) throw new RangeError('fair values must be positive');
    this.rng = mulberry32(seed);
    this.deviation = nextDeviation(Math.log(start / anchor), 0, { ...params, reversion: 0 });
  }

  /** The current fair value, in the anchor's unit (paise); not rounded to any tick. */
  get value(): number {
    return this.anchor * Math.exp(this.deviation);
  }

  next(): number {
    this.deviation = nextDeviation(this.deviation, gaussian(this.rng), this.params);
    return this.value;
  }
}

/** The first `steps` values of a walk; for tests and for previewing a seed. */
export function fairValuePath(
  anchor: number,
  seed: number,
  steps: number,
  params: WalkParams = DEFAULT_WALK,
): number[] {
  const walk = new FairValueWalk(anchor, anchor, seed, params);
  return Array.from({ length: steps }, () => walk.next());
}
