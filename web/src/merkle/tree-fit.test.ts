import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WIDEST_COLUMN, columnWidth, treeWidth } from './tree-fit.ts';

describe('tree fit', () => {
  it('keeps the widest columns when the panel has room', () => {
    expect(columnWidth(1200, 8, 7)).toBe(WIDEST_COLUMN);
  });

  it('narrows the columns until the window fits the panel', () => {
    const column = columnWidth(790, 32, 31);
    expect(column).toBeLessThan(WIDEST_COLUMN);
    expect(treeWidth(32, column)).toBeLessThanOrEqual(790);
  });

  it('never narrows below what a leaf number needs: then the view scrolls', () => {
    const column = columnWidth(330, 32, 12_345);
    expect(column).toBeGreaterThanOrEqual(5 * 5.6);
    expect(treeWidth(32, column)).toBeGreaterThan(330);
  });

  it('fits whenever the narrowest columns would fit, for every panel and tree', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4000 }),
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 0, max: 99 }),
        (available, span, leaf) => {
          const column = columnWidth(available, span, leaf);
          expect(column).toBeGreaterThanOrEqual(22);
          expect(column).toBeLessThanOrEqual(WIDEST_COLUMN);
          if (treeWidth(span, 22) <= available)
            expect(treeWidth(span, column)).toBeLessThanOrEqual(available);
        },
      ),
    );
  });
});
