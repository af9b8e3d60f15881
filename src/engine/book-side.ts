// One side of a book: price levels found by price in O(1) (Map) and kept in a sorted array
// whose LAST element is the best level, so touching or emptying the best level is O(1).
import { PriceLevel } from './price-level.ts';

/** Emptied levels kept in the price map beyond this many trigger a sweep. */
const DORMANT_SLACK = 1_024;

export class BookSide {
  /**
   * Every listed level plus recently emptied ("dormant") ones. Keeping a level that empties
   * and refills (the usual case at the touch) avoids a Map delete + insert per flicker, which
   * costs far more than the match itself; dormant levels are swept once they pile up.
   */
  private readonly byPrice = new Map<number, PriceLevel>();
  /** Listed levels, sorted so that the best is last (ascending for bids, descending for asks). */
  readonly levels: PriceLevel[] = [];
  private dormant = 0;
  /** +1 when the highest price is best (bids, sell stops), -1 when the lowest is. */
  private readonly dir: number;

  constructor(highestIsBest: boolean) {
    this.dir = highestIsBest ? 1 : -1;
  }

  get size(): number {
    return this.levels.length;
  }

  best(): PriceLevel | undefined {
    return this.levels[this.levels.length - 1];
  }

  /** The listed level at `price`, if any. */
  get(price: number): PriceLevel | undefined {
    const level = this.byPrice.get(price);
    return level !== undefined && level.listed ? level : undefined;
  }

  /** The level at `price`, listed in price order if it was not. */
  levelAt(price: number): PriceLevel {
    let level = this.byPrice.get(price);
    if (level === undefined) {
      level = new PriceLevel();
      level.price = price;
      this.byPrice.set(price, level);
    } else if (level.listed) {
      return level;
    } else {
      this.dormant--;
    }
    level.listed = true;
    const levels = this.levels;
    const key = price * this.dir;
    const n = levels.length;
    if (n === 0 || levels[n - 1]!.price * this.dir < key) {
      levels.push(level);
      return level;
    }
    // Shift by hand: new levels land near the best (the end), and splice would allocate.
    const at = this.indexAbove(key);
    levels.push(level);
    for (let j = n; j > at; j--) levels[j] = levels[j - 1]!;
    levels[at] = level;
    return level;
  }

  /** Unlists an empty level. */
  removeLevel(level: PriceLevel): void {
    const levels = this.levels;
    const last = levels.length - 1;
    if (levels[last] !== level) {
      for (let j = this.indexAbove(level.price * this.dir) - 1; j < last; j++) {
        levels[j] = levels[j + 1]!;
      }
    }
    levels.pop();
    level.listed = false;
    level.head = null;
    level.tail = null;
    level.total = 0;
    level.count = 0;
    if (++this.dormant > DORMANT_SLACK && this.dormant > levels.length) this.sweep();
  }

  /** Drops dormant levels from the price map: memory stays bounded by the listed levels. */
  private sweep(): void {
    for (const [price, level] of this.byPrice) if (!level.listed) this.byPrice.delete(price);
    this.dormant = 0;
  }

  /** First index whose key (price * dir) is greater than `key`: binary search. */
  private indexAbove(key: number): number {
    const levels = this.levels;
    const dir = this.dir;
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (levels[mid]!.price * dir > key) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
