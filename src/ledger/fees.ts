// Maker/taker fees in basis points, exact in integers and rounded up to the paisa (the exchange
// never under-collects); a buy hold computed here always covers every fill charged via accrueFee.

/** The highest fee rate accepted: 10%. */
export const MAX_FEE_BPS = 1_000;
const BPS_PER_UNIT = 10_000;

/**
 * The exact running sum of notional*bps over one order's fills, kept as whole*10000 + part so
 * both halves stay safe integers even when the sum passes 2^53. Treat it as an opaque value.
 */
export interface FeeAccrual {
  readonly whole: number;
  /** In [0, 10000). */
  readonly part: number;
}

export const NO_FEES_ACCRUED: FeeAccrual = Object.freeze({ whole: 0, part: 0 });

function requireNotional(notional: number): void {
  if (!Number.isSafeInteger(notional) || notional < 0) {
    throw new RangeError(`notional must be a non-negative safe integer, got ${notional}`);
  }
}

function requireBps(bps: number): void {
  if (!Number.isInteger(bps) || bps < 0 || bps > MAX_FEE_BPS) {
    throw new RangeError(`fee rate must be an integer 0..${MAX_FEE_BPS} bps, got ${bps}`);
  }
}

function requirePositive(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new RangeError(`${name} must be a positive safe integer, got ${n}`);
  }
}

/**
 * The fee on one notional: the least integer >= notional*bps/10000. notional*bps can pass 2^53
 * (1e15 * 1000), so the notional is split at 10000 and each product stays exact.
 * Throws RangeError on a negative or unsafe notional or a rate outside 0..MAX_FEE_BPS (bugs).
 */
export function feeFor(notional: number, bps: number): number {
  requireNotional(notional);
  requireBps(bps);
  const low = notional % BPS_PER_UNIT;
  const high = (notional - low) / BPS_PER_UNIT;
  const lowUnits = low * bps; // < 1e7
  const lowRest = lowUnits % BPS_PER_UNIT;
  return high * bps + (lowUnits - lowRest) / BPS_PER_UNIT + (lowRest > 0 ? 1 : 0);
}

function addBasis(accrual: FeeAccrual, notional: number, bps: number): FeeAccrual {
  const low = notional % BPS_PER_UNIT;
  const high = (notional - low) / BPS_PER_UNIT;
  const part = accrual.part + low * bps; // < 1e4 + 1e7
  const rest = part % BPS_PER_UNIT;
  return { whole: accrual.whole + high * bps + (part - rest) / BPS_PER_UNIT, part: rest };
}

/** What an accrual has charged so far: ceil(sum of notional*bps / 10000). */
export function accruedFee(accrual: FeeAccrual): number {
  return accrual.whole + (accrual.part > 0 ? 1 : 0);
}

/**
 * The fee for one fill of an order whose earlier fills left `accrual`. Per-fill fees charged this
 * way telescope: an order's fees total ceil(sum notional*bps / 10000), whereas summing
 * feeFor per fill rounds up once per fill and can outrun the hold `buyHold` took. Each fee is
 * also at most the fill's notional, so a seller's fee never exceeds the proceeds.
 */
export function accrueFee(
  accrual: FeeAccrual,
  notional: number,
  bps: number,
): { readonly fee: number; readonly accrual: FeeAccrual } {
  requireNotional(notional);
  requireBps(bps);
  const next = addBasis(accrual, notional, bps);
  return { fee: accruedFee(next) - accruedFee(accrual), accrual: next };
}

/**
 * What a buy order with `remaining` shares open at limit `price` must still hold, after its fills
 * so far accrued `accrual`: the notional plus the fee at max(makerBps, takerBps) the rest could
 * add. With NO_FEES_ACCRUED this is `buyHold`. After each fill, (hold before - what the fill took
 * - this) is never negative: that difference is what to release. Throws RangeError on bad input.
 */
export function buyHoldRemaining(
  remaining: number,
  price: number,
  makerBps: number,
  takerBps: number,
  accrual: FeeAccrual,
): number {
  if (!Number.isSafeInteger(remaining) || remaining < 0) {
    throw new RangeError(`remaining must be a non-negative safe integer, got ${remaining}`);
  }
  requirePositive('price', price);
  requireBps(makerBps);
  requireBps(takerBps);
  const notional = remaining * price;
  requireNotional(notional);
  const before = accruedFee(accrual);
  const hold = notional + accruedFee(addBasis(accrual, notional, Math.max(makerBps, takerBps)));
  if (!Number.isSafeInteger(hold)) throw new RangeError(`buy hold ${hold} is not a safe integer`);
  return hold - before;
}

/**
 * What a buy limit order must hold: quantity*price plus the fee at max(makerBps, takerBps), since
 * it may fill as taker now and as maker later. Throws RangeError outside the bounds (a bug: the
 * edge validates quantity and price so the notional stays below 2^53).
 */
export function buyHold(
  quantity: number,
  price: number,
  makerBps: number,
  takerBps: number,
): number {
  requirePositive('quantity', quantity);
  requirePositive('price', price);
  requireBps(makerBps);
  requireBps(takerBps);
  const notional = quantity * price;
  requireNotional(notional);
  const hold = notional + feeFor(notional, Math.max(makerBps, takerBps));
  if (!Number.isSafeInteger(hold)) throw new RangeError(`buy hold ${hold} is not a safe integer`);
  return hold;
}

/**
 * What a market buy must hold: the buyHold formula at its price cap (the collar it never fills
 * above). Release the unspent rest when the order ends.
 */
export function marketBuyHold(
  quantity: number,
  capPrice: number,
  makerBps: number,
  takerBps: number,
): number {
  return buyHold(quantity, capPrice, makerBps, takerBps);
}
