// Remembers (key, nonce) pairs for the replay window so each signed request is accepted once.
// Bounded: when full of pairs still inside the window it refuses new ones (fails closed) rather
// than forgetting one that could then be replayed.

export type NonceVerdict = 'fresh' | 'replayed' | 'full';

export class ReplayCache {
  /** Insertion order is expiry order, since every entry lives for the same window. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  /** Records the pair if it is new. `now` is the server's clock in milliseconds. */
  check(keyId: string, nonce: string, now: number): NonceVerdict {
    this.evictExpired(now);
    const id = `${keyId}\u0000${nonce}`;
    if (this.seen.has(id)) return 'replayed';
    if (this.seen.size >= this.capacity) return 'full';
    // A request is valid for `window` either side of its timestamp, so remember it for twice that.
    this.seen.set(id, now + 2 * this.windowMs);
    return 'fresh';
  }

  private evictExpired(now: number): void {
    for (const [id, expiresAt] of this.seen) {
      if (expiresAt > now) break;
      this.seen.delete(id);
    }
  }
}
