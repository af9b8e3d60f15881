// The recovery checks: no negative balance or hold, holds equal what open orders need, totals
// equal deposits minus withdrawals. Reports every violation; changes nothing.
import type { BalanceRow, HoldClaim, HoldExpectation, InvariantViolation } from './types.ts';

type Sums = Map<number, Map<string, number>>;

function sumClaims(claims: Iterable<HoldClaim>): Sums {
  const sums: Sums = new Map();
  for (const { account, asset, amount } of claims) {
    let assets = sums.get(account);
    if (assets === undefined) {
      assets = new Map();
      sums.set(account, assets);
    }
    assets.set(asset, (assets.get(asset) ?? 0) + amount);
  }
  return sums;
}

function holdMismatch(
  account: number,
  asset: string,
  actual: number,
  expected: number,
): InvariantViolation {
  return {
    code: 'HOLD_MISMATCH',
    account,
    asset,
    actual,
    expected,
    message: `account ${account} holds ${actual} ${asset} but its open orders need ${expected}`,
  };
}

export function findViolations(
  balances: Iterable<BalanceRow>,
  expectedHolds?: HoldExpectation,
  expectedTotals?: ReadonlyMap<string, number>,
): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  const totals = new Map<string, number>();
  const claims =
    expectedHolds === undefined || typeof expectedHolds === 'function'
      ? null
      : sumClaims(expectedHolds);

  for (const { account, asset, available, held } of balances) {
    totals.set(asset, (totals.get(asset) ?? 0) + available + held);
    if (available < 0) {
      violations.push({
        code: 'NEGATIVE_AVAILABLE',
        account,
        asset,
        actual: available,
        expected: null,
        message: `account ${account} has negative available ${asset}: ${available}`,
      });
    }
    if (held < 0) {
      violations.push({
        code: 'NEGATIVE_HELD',
        account,
        asset,
        actual: held,
        expected: null,
        message: `account ${account} has negative held ${asset}: ${held}`,
      });
    }
    if (typeof expectedHolds === 'function') {
      const expected = expectedHolds(account, asset);
      if (held !== expected) violations.push(holdMismatch(account, asset, held, expected));
    } else if (claims !== null) {
      const assets = claims.get(account);
      const expected = assets?.get(asset) ?? 0;
      assets?.delete(asset);
      if (held !== expected) violations.push(holdMismatch(account, asset, held, expected));
    }
  }

  // Claims left over name accounts or assets the ledger has no row for: nothing is held there.
  if (claims !== null) {
    for (const [account, assets] of claims) {
      for (const [asset, expected] of assets) {
        if (expected !== 0) violations.push(holdMismatch(account, asset, 0, expected));
      }
    }
  }

  if (expectedTotals !== undefined) {
    const assets = new Set([...totals.keys(), ...expectedTotals.keys()]);
    for (const asset of assets) {
      const actual = totals.get(asset) ?? 0;
      const expected = expectedTotals.get(asset) ?? 0;
      if (actual !== expected) {
        violations.push({
          code: 'TOTAL_MISMATCH',
          account: null,
          asset,
          actual,
          expected,
          message: `${asset} totals ${actual} across accounts but deposits minus withdrawals are ${expected}`,
        });
      }
    }
  }
  return violations;
}
