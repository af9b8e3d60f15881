// Public face of the ledger: balances, holds, settlement and fees. Pure (no I/O, clock, randomness
// or floats); every operation is all-or-nothing and answers with a result value, never a throw.
//
// How the sequencer uses it (one synchronous call per step, no await between check and effect):
//   - risk check: `hold(owner, cash, buyHold(qty, price, makerBps, takerBps), ref)` for a buy
//     limit, `marketBuyHold(qty, capPrice, ...)` for a market buy, `hold(owner, symbol, qty, ref)`
//     for a sell. A refusal (INSUFFICIENT_FUNDS / INSUFFICIENT_SHARES) rejects the order.
//   - per fill: charge fees with `accrueFee` on each order's own FeeAccrual (not `feeFor` per
//     fill, whose per-fill rounding can outrun the hold), then `settleTrade(...)`.
//   - after a buy fill, release `holdBefore - (notional + buyerFee) - buyHoldRemaining(...)` (never
//     negative); when an order ends, release what it still holds.
//   - `drainEntries()` after each command and journal them; each transaction's entries sum to
//     zero per asset, deposits and withdrawals balance against `account: null` (outside world).
//   - recovery: `load` each row, `setNextTxId(last + 1)`, then `checkInvariants(holdClaims,
//     journalTotals)`; a non-empty list means refuse to trade and say why.
//
// Refusal codes (LedgerCode): INVALID_ACCOUNT, INVALID_ASSET, INVALID_AMOUNT, INVALID_FEE,
// INSUFFICIENT_FUNDS, INSUFFICIENT_SHARES, HOLD_SHORT, SELF_TRADE, BALANCE_OVERFLOW.
// The fee helpers throw RangeError only on inputs the edge must already have refused (bugs).
export { Ledger } from './ledger.ts';
export type { LedgerOptions } from './ledger.ts';
export {
  accruedFee,
  accrueFee,
  buyHold,
  buyHoldRemaining,
  feeFor,
  marketBuyHold,
  MAX_FEE_BPS,
  NO_FEES_ACCRUED,
} from './fees.ts';
export type { FeeAccrual } from './fees.ts';
export { findViolations } from './invariants.ts';
export { replayEntries } from './replay.ts';
export { asTxId } from './types.ts';
export type {
  Balance,
  BalanceRow,
  Bucket,
  EntryKind,
  HoldClaim,
  HoldExpectation,
  InvariantViolation,
  LedgerCode,
  LedgerEntry,
  LedgerRefusal,
  LedgerResult,
  LoadResult,
  TradeSettlement,
  TxId,
  ViolationCode,
} from './types.ts';
