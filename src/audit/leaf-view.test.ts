import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadHash, sealLeaves, type AuditEntry } from './leaf.ts';
import { leafView } from './leaf-view.ts';
import { ledgerTxData, tradeData } from './records.ts';

const stored = (entry: AuditEntry): string => {
  const [leaf] = sealLeaves(0, [entry]);
  if (leaf === undefined) throw new Error('no leaf');
  return leaf.payload;
};
const dataOf = (payload: string | null): Record<string, unknown> =>
  (JSON.parse(payload ?? 'null') as { data: Record<string, unknown> }).data;

// Few users, so that viewers often are the buyer, the seller, both or neither.
const user = fc.integer({ min: 1, max: 4 });
const trade = fc.record({
  id: fc.nat(),
  symbol: fc.constantFrom('TCS', 'INFY'),
  price: fc.integer({ min: 1, max: 10_000_000 }),
  quantity: fc.integer({ min: 1, max: 1000 }),
  buy_order_id: fc.integer({ min: 1, max: 1000 }),
  sell_order_id: fc.integer({ min: 1001, max: 2000 }),
  buyer_id: user,
  seller_id: user,
  aggressor_side: fc.constantFrom('BUY', 'SELL'),
  buyer_fee: fc.nat({ max: 10_000 }),
  seller_fee: fc.nat({ max: 10_000 }),
  sequence: fc.nat(),
  created_at: fc.nat(),
});
const SIDES = {
  buyer: ['buy_order_id', 'buyer_fee', 'buyer_id'],
  seller: ['sell_order_id', 'seller_fee', 'seller_id'],
};

describe('leafView', () => {
  it('shows a trader only their side of a trade, and the whole trade only to an admin', () => {
    fc.assert(
      fc.property(trade, user, (row, viewer) => {
        const payload = stored({ kind: 'trade', at: row.created_at, data: tradeData(row) });
        expect(leafView(payload, { userId: viewer, role: 'admin' })).toEqual({
          payload,
          redacted: false,
        });
        const view = leafView(payload, { userId: viewer, role: 'user' });
        const buyer = row.buyer_id === viewer;
        const seller = row.seller_id === viewer;
        if (!buyer && !seller) {
          expect(view).toEqual({ payload: null, redacted: true });
          return;
        }
        const hidden = [...(buyer ? [] : SIDES.buyer), ...(seller ? [] : SIDES.seller)];
        const full = dataOf(payload);
        expect(dataOf(view.payload)).toEqual(
          Object.fromEntries(Object.entries(full).filter(([key]) => !hidden.includes(key))),
        );
        expect(view.redacted).toBe(hidden.length > 0);
        // Honest about it: only an uncut payload hashes to the leaf hash.
        expect(payloadHash(view.payload ?? '').equals(payloadHash(payload))).toBe(!view.redacted);
      }),
    );
  });

  it("shows a user only their own entries of a ledger transaction, none of another user's", () => {
    const entry = fc.record({
      user_id: fc.option(user, { nil: null }),
      account: fc.constantFrom('available', 'held'),
      asset: fc.constantFrom('INR', 'TCS'),
      amount: fc.integer({ min: -1_000_000, max: 1_000_000 }),
      kind: fc.constantFrom('TRADE', 'FEE', 'DEPOSIT'),
      ref: fc.constant('trade:1'),
      created_at: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), user, (entries, viewer) => {
        const data = ledgerTxData(7, entries);
        const payload = stored({ kind: 'ledger_tx', at: 0, data });
        const view = leafView(payload, { userId: viewer, role: 'user' });
        const mine = entries.filter((e) => e.user_id === viewer);
        if (mine.length === 0) {
          expect(view.payload).toBeNull();
          return;
        }
        expect(dataOf(view.payload)).toEqual({
          entries: ledgerTxData(7, mine).entries,
          tx_id: 7,
        });
        expect(view.redacted).toBe(mine.length < entries.length);
      }),
    );
  });

  it('shows orders and security events to their user and admin actions to their actor', () => {
    const order = stored({ kind: 'order', at: 1, data: { id: 9, user_id: 2 } });
    const event = stored({ kind: 'security_event', at: 1, data: { id: 3, user_id: 2 } });
    const action = stored({ kind: 'admin_action', at: 1, data: { action: 'halt', actor: 2 } });
    for (const payload of [order, event, action]) {
      expect(leafView(payload, { userId: 2, role: 'user' })).toEqual({ payload, redacted: false });
      expect(leafView(payload, { userId: 3, role: 'user' })).toEqual({
        payload: null,
        redacted: true,
      });
    }
  });
});
