import { describe, expect, it } from 'vitest';
import { LocalBook } from './local-book.ts';
import type { BookSnapshot, BookUpdate } from './messages.ts';

const snapshot: BookSnapshot = {
  type: 'book_snapshot',
  symbol: 'TCS',
  sequence: 10,
  depth: 20,
  bids: [
    ['4105.30', 12],
    ['4105.00', 40],
  ],
  asks: [['4105.40', 7]],
};

function update(prev: number, sequence: number, changes: BookUpdate['changes']): BookUpdate {
  return { type: 'book_update', symbol: 'TCS', prev_sequence: prev, sequence, changes };
}

describe('LocalBook', () => {
  it('applies a snapshot and then a chain of updates', () => {
    const book = new LocalBook();
    book.applySnapshot(snapshot);
    expect(
      book.applyUpdate(
        update(10, 12, [
          { side: 'SELL', price: '4105.40', quantity: 0 },
          { side: 'BUY', price: '4105.35', quantity: 5 },
        ]),
      ),
    ).toBe('applied');
    expect(book.applyUpdate(update(12, 13, []))).toBe('applied');
    expect(book.sequence).toBe(13);
    expect(book.levels('BUY', 5).map((l) => [l.price, l.quantity])).toEqual([
      ['4105.35', 5],
      ['4105.30', 12],
      ['4105.00', 40],
    ]);
    expect(book.levels('SELL', 5)).toEqual([]);
  });

  it('skips updates the snapshot already holds', () => {
    const book = new LocalBook();
    book.applySnapshot(snapshot);
    expect(book.applyUpdate(update(9, 10, [{ side: 'BUY', price: '1.00', quantity: 1 }]))).toBe(
      'stale',
    );
    expect(book.levels('BUY', 5)).toHaveLength(2);
  });

  it('reports a gap and forgets its sequence until the next snapshot', () => {
    const book = new LocalBook();
    book.applySnapshot(snapshot);
    expect(book.applyUpdate(update(11, 12, []))).toBe('gap');
    expect(book.synced).toBe(false);
    expect(book.applyUpdate(update(12, 13, []))).toBe('gap');
    book.applySnapshot({ ...snapshot, sequence: 13 });
    expect(book.applyUpdate(update(13, 14, []))).toBe('applied');
  });

  it('is behind a heartbeat that names a later sequence', () => {
    const book = new LocalBook();
    expect(book.isBehind(1)).toBe(true);
    book.applySnapshot(snapshot);
    expect(book.isBehind(10)).toBe(false);
    expect(book.isBehind(9)).toBe(false);
    expect(book.isBehind(11)).toBe(true);
  });

  it('orders asks low to high by integer paise, not text', () => {
    const book = new LocalBook();
    book.applySnapshot({
      ...snapshot,
      asks: [
        ['10000.00', 1],
        ['999.50', 2],
      ],
    });
    expect(book.levels('SELL', 2).map((l) => l.price)).toEqual(['999.50', '10000.00']);
  });
});
