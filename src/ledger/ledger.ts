// Balances and holds per account and asset, changed only by balanced double-entry transactions.
// Each operation validates, then applies, in one synchronous call: all or nothing, never negative.
import { findViolations } from './invariants.ts';
import { asTxId } from './types.ts';
import type {
  Balance,
  BalanceRow,
  Bucket,
  EntryKind,
  HoldExpectation,
  InvariantViolation,
  LedgerCode,
  LedgerEntry,
  LedgerRefusal,
  LedgerResult,
  LoadResult,
  TradeSettlement,
  TxId,
} from './types.ts';

export interface LedgerOptions {
  /** The cash asset, for example 'INR' (amounts in paise). Every other asset is shares. */
  readonly cashAsset: string;
  /** The account fees are paid into; any safe integer (it need not be a positive user id). */
  readonly feeAccount: number;
  /** The id of the next transaction; default 1. */
  readonly nextTxId?: number;
}

/** One account's holding of one asset; mutable inside the ledger only. */
interface Row {
  available: number;
  held: number;
}

// Refusals carry no per-call data, so one frozen value per code serves every call.
const refusal = (code: LedgerCode): LedgerRefusal => Object.freeze({ ok: false, code });
const REFUSALS: Readonly<Record<LedgerCode, LedgerRefusal>> = {
  INVALID_ACCOUNT: refusal('INVALID_ACCOUNT'),
  INVALID_ASSET: refusal('INVALID_ASSET'),
  INVALID_AMOUNT: refusal('INVALID_AMOUNT'),
  INVALID_FEE: refusal('INVALID_FEE'),
  INSUFFICIENT_FUNDS: refusal('INSUFFICIENT_FUNDS'),
  INSUFFICIENT_SHARES: refusal('INSUFFICIENT_SHARES'),
  HOLD_SHORT: refusal('HOLD_SHORT'),
  SELF_TRADE: refusal('SELF_TRADE'),
  BALANCE_OVERFLOW: refusal('BALANCE_OVERFLOW'),
};
const refuse = (code: LedgerCode): LedgerRefusal => REFUSALS[code];
const LOADED: LoadResult = Object.freeze({ ok: true });

const isAmount = (n: number): boolean => Number.isSafeInteger(n) && n > 0;
const isAsset = (asset: string): boolean => typeof asset === 'string' && asset.length > 0;

export class Ledger {
  readonly cashAsset: string;
  readonly feeAccount: number;
  private readonly rows = new Map<number, Map<string, Row>>();
  private entries: LedgerEntry[] = [];
  private txSeq: number;

  constructor(options: LedgerOptions) {
    if (!isAsset(options.cashAsset)) throw new RangeError('cashAsset must be a non-empty string');
    if (!Number.isSafeInteger(options.feeAccount)) {
      throw new RangeError(`feeAccount must be a safe integer, got ${options.feeAccount}`);
    }
    this.cashAsset = options.cashAsset;
    this.feeAccount = options.feeAccount;
    this.txSeq = 1;
    if (options.nextTxId !== undefined) this.setNextTxId(options.nextTxId);
  }

  /** The id the next successful operation will get. */
  get nextTxId(): number {
    return this.txSeq;
  }

  /** Recovery: continue numbering after the last journalled transaction. */
  setNextTxId(n: number): void {
    if (!isAmount(n)) throw new RangeError(`nextTxId must be a positive safe integer, got ${n}`);
    this.txSeq = n;
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  /** A snapshot; zeros for an account or asset the ledger has never seen. */
  balance(account: number, asset: string): Balance {
    const row = this.find(account, asset);
    return row === undefined
      ? { available: 0, held: 0 }
      : { available: row.available, held: row.held };
  }

  /** Every account with at least one row, in the order first seen. */
  *accounts(): IterableIterator<number> {
    yield* this.rows.keys();
  }

  /** Snapshots of one account's rows, in the order first seen. */
  *balancesOf(account: number): IterableIterator<BalanceRow> {
    const assets = this.rows.get(account);
    if (assets === undefined) return;
    for (const [asset, row] of assets) {
      yield { account, asset, available: row.available, held: row.held };
    }
  }

  /** Snapshots of every row, account by account. */
  *balances(): IterableIterator<BalanceRow> {
    for (const account of this.rows.keys()) yield* this.balancesOf(account);
  }

  /**
   * Sum of available + held over every account (fee account included). Only deposits and
   * withdrawals change it. Exact while the sum stays below 2^53.
   */
  totals(asset: string): number {
    let total = 0;
    for (const assets of this.rows.values()) {
      const row = assets.get(asset);
      if (row !== undefined) total += row.available + row.held;
    }
    return total;
  }

  /** The entries recorded since the last drain, oldest first; the ledger forgets them. */
  drainEntries(): LedgerEntry[] {
    const drained = this.entries;
    this.entries = [];
    return drained;
  }

  /** How many entries wait to be drained. */
  get pendingEntries(): number {
    return this.entries.length;
  }

  // -------------------------------------------------------------------------------------------
  // Operations. Each validates everything first and only then mutates: no partial change.

  /** Money or shares in from outside: available += amount. */
  deposit(account: number, asset: string, amount: number, ref: string): LedgerResult {
    const invalid = this.checkArgs(account, asset, amount);
    if (invalid !== null) return invalid;
    const row = this.find(account, asset);
    if (row !== undefined && !Number.isSafeInteger(row.available + amount)) {
      return refuse('BALANCE_OVERFLOW');
    }
    const txId = this.takeTxId();
    this.rowFor(account, asset).available += amount;
    this.record(txId, null, 'available', asset, -amount, 'DEPOSIT', ref);
    this.record(txId, account, 'available', asset, amount, 'DEPOSIT', ref);
    return { ok: true, txId };
  }

  /** Money or shares out to the outside, from available only. */
  withdraw(account: number, asset: string, amount: number, ref: string): LedgerResult {
    const invalid = this.checkArgs(account, asset, amount);
    if (invalid !== null) return invalid;
    const row = this.find(account, asset);
    if (row === undefined || row.available < amount) return refuse(this.shortOf(asset));
    const txId = this.takeTxId();
    row.available -= amount;
    this.record(txId, account, 'available', asset, -amount, 'WITHDRAWAL', ref);
    this.record(txId, null, 'available', asset, amount, 'WITHDRAWAL', ref);
    return { ok: true, txId };
  }

  /** Reserve for an open order: available -> held. */
  hold(account: number, asset: string, amount: number, ref: string): LedgerResult {
    const invalid = this.checkArgs(account, asset, amount);
    if (invalid !== null) return invalid;
    const row = this.find(account, asset);
    if (row === undefined || row.available < amount) return refuse(this.shortOf(asset));
    if (!Number.isSafeInteger(row.held + amount)) return refuse('BALANCE_OVERFLOW');
    const txId = this.takeTxId();
    row.available -= amount;
    row.held += amount;
    this.record(txId, account, 'available', asset, -amount, 'HOLD', ref);
    this.record(txId, account, 'held', asset, amount, 'HOLD', ref);
    return { ok: true, txId };
  }

  /** Give back what an order no longer needs: held -> available. */
  release(account: number, asset: string, amount: number, ref: string): LedgerResult {
    const invalid = this.checkArgs(account, asset, amount);
    if (invalid !== null) return invalid;
    const row = this.find(account, asset);
    if (row === undefined || row.held < amount) return refuse('HOLD_SHORT');
    if (!Number.isSafeInteger(row.available + amount)) return refuse('BALANCE_OVERFLOW');
    const txId = this.takeTxId();
    row.held -= amount;
    row.available += amount;
    this.record(txId, account, 'held', asset, -amount, 'RELEASE', ref);
    this.record(txId, account, 'available', asset, amount, 'RELEASE', ref);
    return { ok: true, txId };
  }

  /**
   * Settle one fill. Buyer: held cash -= notional + buyerFee, available shares += quantity.
   * Seller: held shares -= quantity, available cash += notional - sellerFee. Fee account:
   * available cash += both fees. Up to 7 entries: 4 TRADE, then up to 3 FEE (zero legs omitted).
   */
  settleTrade(trade: TradeSettlement): LedgerResult {
    const { buyer, seller, symbol, quantity, price, buyerFee, sellerFee, ref } = trade;
    const cash = this.cashAsset;
    if (!this.isAccount(buyer) || !this.isAccount(seller)) return refuse('INVALID_ACCOUNT');
    if (buyer === seller) return refuse('SELF_TRADE');
    if (!isAsset(symbol) || symbol === cash) return refuse('INVALID_ASSET');
    if (!isAmount(quantity) || !isAmount(price)) return refuse('INVALID_AMOUNT');
    const notional = quantity * price;
    if (!Number.isSafeInteger(notional)) return refuse('INVALID_AMOUNT');
    if (!Number.isSafeInteger(buyerFee) || buyerFee < 0) return refuse('INVALID_FEE');
    if (!Number.isSafeInteger(sellerFee) || sellerFee < 0 || sellerFee > notional) {
      return refuse('INVALID_FEE');
    }
    const cost = notional + buyerFee;
    const fees = buyerFee + sellerFee;
    if (!Number.isSafeInteger(cost) || !Number.isSafeInteger(fees)) return refuse('INVALID_FEE');

    const buyerCash = this.find(buyer, cash);
    const sellerShares = this.find(seller, symbol);
    if (buyerCash === undefined || buyerCash.held < cost) return refuse('HOLD_SHORT');
    if (sellerShares === undefined || sellerShares.held < quantity) return refuse('HOLD_SHORT');

    // Credits must stay safe; the fee account may be the seller (one row, two credits) or the
    // buyer (whose available cash is otherwise untouched).
    const feeToSeller = seller === this.feeAccount ? fees : 0;
    const proceeds = notional - sellerFee;
    if (!Number.isSafeInteger(this.available(seller, cash) + proceeds + feeToSeller)) {
      return refuse('BALANCE_OVERFLOW');
    }
    if (!Number.isSafeInteger(this.available(buyer, symbol) + quantity)) {
      return refuse('BALANCE_OVERFLOW');
    }
    const feeAccount = this.feeAccount;
    if (feeToSeller === 0 && !Number.isSafeInteger(this.available(feeAccount, cash) + fees)) {
      return refuse('BALANCE_OVERFLOW');
    }

    const txId = this.takeTxId();
    buyerCash.held -= cost;
    sellerShares.held -= quantity;
    this.rowFor(seller, cash).available += proceeds;
    this.rowFor(buyer, symbol).available += quantity;
    this.record(txId, buyer, 'held', cash, -notional, 'TRADE', ref);
    this.record(txId, seller, 'available', cash, notional, 'TRADE', ref);
    this.record(txId, seller, 'held', symbol, -quantity, 'TRADE', ref);
    this.record(txId, buyer, 'available', symbol, quantity, 'TRADE', ref);
    if (fees > 0) {
      this.rowFor(feeAccount, cash).available += fees;
      if (buyerFee > 0) this.record(txId, buyer, 'held', cash, -buyerFee, 'FEE', ref);
      if (sellerFee > 0) this.record(txId, seller, 'available', cash, -sellerFee, 'FEE', ref);
      this.record(txId, feeAccount, 'available', cash, fees, 'FEE', ref);
    }
    return { ok: true, txId };
  }

  // -------------------------------------------------------------------------------------------
  // Recovery

  /** Recovery again: forgets every row and every entry not yet drained, before loading anew. */
  clear(): void {
    this.rows.clear();
    this.entries = [];
  }

  /**
   * Set one row from the database, recording no entry. Accepts any safe integers, negative ones
   * included, so that checkInvariants can report a damaged row instead of hiding it.
   */
  load(account: number, asset: string, balance: Balance): LoadResult {
    if (!this.isAccount(account)) return refuse('INVALID_ACCOUNT');
    if (!isAsset(asset)) return refuse('INVALID_ASSET');
    if (!Number.isSafeInteger(balance.available) || !Number.isSafeInteger(balance.held)) {
      return refuse('INVALID_AMOUNT');
    }
    const row = this.rowFor(account, asset);
    row.available = balance.available;
    row.held = balance.held;
    return LOADED;
  }

  /**
   * Every broken rule, empty when all hold: no negative available or held; with `expectedHolds`,
   * every held amount equals what open orders need; with `expectedTotals` (asset -> deposits
   * minus withdrawals, from the journal), every asset's total matches (a missing asset is 0).
   */
  checkInvariants(
    expectedHolds?: HoldExpectation,
    expectedTotals?: ReadonlyMap<string, number>,
  ): InvariantViolation[] {
    return findViolations(this.balances(), expectedHolds, expectedTotals);
  }

  // -------------------------------------------------------------------------------------------

  private isAccount(account: number): boolean {
    return account === this.feeAccount || isAmount(account);
  }

  private checkArgs(account: number, asset: string, amount: number): LedgerRefusal | null {
    if (!this.isAccount(account)) return refuse('INVALID_ACCOUNT');
    if (!isAsset(asset)) return refuse('INVALID_ASSET');
    if (!isAmount(amount)) return refuse('INVALID_AMOUNT');
    return null;
  }

  private shortOf(asset: string): LedgerCode {
    return asset === this.cashAsset ? 'INSUFFICIENT_FUNDS' : 'INSUFFICIENT_SHARES';
  }

  private find(account: number, asset: string): Row | undefined {
    return this.rows.get(account)?.get(asset);
  }

  private available(account: number, asset: string): number {
    return this.find(account, asset)?.available ?? 0;
  }

  /** Only called once an operation is certain to succeed: a refusal must not add rows. */
  private rowFor(account: number, asset: string): Row {
    let assets = this.rows.get(account);
    if (assets === undefined) {
      assets = new Map();
      this.rows.set(account, assets);
    }
    let row = assets.get(asset);
    if (row === undefined) {
      row = { available: 0, held: 0 };
      assets.set(asset, row);
    }
    return row;
  }

  private takeTxId(): TxId {
    const txId = asTxId(this.txSeq);
    this.txSeq += 1;
    return txId;
  }

  private record(
    txId: TxId,
    account: number | null,
    bucket: Bucket,
    asset: string,
    amount: number,
    kind: EntryKind,
    ref: string,
  ): void {
    this.entries.push({ txId, account, bucket, asset, amount, kind, ref });
  }
}
