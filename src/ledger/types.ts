// The ledger's vocabulary: transaction ids, entries, results, refusal codes and invariant reports.
// Every amount here is a JS safe integer (paise for cash, whole shares otherwise); no floats.

/** A ledger transaction id: positive, strictly increasing, one per successful operation. */
export type TxId = number & { readonly __brand: 'TxId' };
export const asTxId = (n: number): TxId => n as TxId;

/** Where an amount sits inside one account and asset. */
export type Bucket = 'available' | 'held';

export type EntryKind = 'DEPOSIT' | 'WITHDRAWAL' | 'HOLD' | 'RELEASE' | 'TRADE' | 'FEE';

/**
 * One leg of a double-entry transaction. The entries of one txId sum to zero per asset, and so do
 * the entries of one kind inside it. `account: null` is the outside world (deposits, withdrawals).
 */
export interface LedgerEntry {
  readonly txId: TxId;
  readonly account: number | null;
  readonly bucket: Bucket;
  readonly asset: string;
  /** Signed and never zero. */
  readonly amount: number;
  readonly kind: EntryKind;
  readonly ref: string;
}

/** Why the ledger refused an operation. A refusal changes nothing at all. */
export type LedgerCode =
  /** Not a positive safe integer and not the fee account. */
  | 'INVALID_ACCOUNT'
  /** Empty asset name, or a trade whose symbol is the cash asset. */
  | 'INVALID_ASSET'
  /** Amount, quantity or price is not a positive safe integer, or quantity*price is not safe. */
  | 'INVALID_AMOUNT'
  /** A fee is not a non-negative safe integer, or the seller's fee exceeds the notional. */
  | 'INVALID_FEE'
  /** Available cash is below the amount to hold or withdraw. */
  | 'INSUFFICIENT_FUNDS'
  /** Available shares (any non-cash asset) are below the amount to hold or withdraw. */
  | 'INSUFFICIENT_SHARES'
  /** A release or settlement needs more than is held: a bug upstream, refused rather than negative. */
  | 'HOLD_SHORT'
  /** Buyer and seller are the same account. */
  | 'SELF_TRADE'
  /** A balance would pass Number.MAX_SAFE_INTEGER. */
  | 'BALANCE_OVERFLOW';

export interface LedgerRefusal {
  readonly ok: false;
  readonly code: LedgerCode;
}

export type LedgerResult = { readonly ok: true; readonly txId: TxId } | LedgerRefusal;

/** The outcome of `load`, which records no transaction. */
export type LoadResult = { readonly ok: true } | LedgerRefusal;

export interface Balance {
  readonly available: number;
  readonly held: number;
}

export interface BalanceRow extends Balance {
  readonly account: number;
  readonly asset: string;
}

/** One fill to settle: the buyer's held cash pays, the seller's held shares deliver. */
export interface TradeSettlement {
  readonly buyer: number;
  readonly seller: number;
  readonly symbol: string;
  readonly quantity: number;
  /** Per share, in paise. */
  readonly price: number;
  /** Paise, taken from the buyer's held cash on top of the notional. */
  readonly buyerFee: number;
  /** Paise, taken from the seller's proceeds; at most the notional. */
  readonly sellerFee: number;
  readonly ref: string;
}

/** What one open order needs held; `checkInvariants` sums these per account and asset. */
export interface HoldClaim {
  readonly account: number;
  readonly asset: string;
  readonly amount: number;
}

/**
 * The holds open orders need: a function asked for every account and asset the ledger knows, or
 * a list of claims (also catches a claim on an account or asset the ledger has no row for).
 */
export type HoldExpectation = ((account: number, asset: string) => number) | Iterable<HoldClaim>;

export type ViolationCode =
  'NEGATIVE_AVAILABLE' | 'NEGATIVE_HELD' | 'HOLD_MISMATCH' | 'TOTAL_MISMATCH';

export interface InvariantViolation {
  readonly code: ViolationCode;
  /** null for a per-asset total. */
  readonly account: number | null;
  readonly asset: string;
  readonly actual: number;
  /** null when the rule is "not negative". */
  readonly expected: number | null;
  readonly message: string;
}
