// Holds back repeated security events: at most one per key (say an address and an event type) per
// window, counting the ones held back so that the next event let through can say how many.
// Bounded: it remembers at most `capacity` keys, forgetting the longest-quiet first.

export class EventThrottle {
  /** Per key, when an event was last let through and how many were held back since. Insertion
   * order is the order of the last admission, so the first key is the longest-quiet one. */
  private readonly keys = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly capacity = 10_000,
  ) {}

  /** Keys remembered now; never more than the capacity. */
  get size(): number {
    return this.keys.size;
  }

  /**
   * Whether an event for `key` may be recorded at `now`: undefined while the last one let through
   * is less than a window old (this one is counted as held back); otherwise the number held back
   * since that last one.
   */
  admit(key: string, now: number): number | undefined {
    const last = this.keys.get(key);
    if (last !== undefined && now - last.at < this.windowMs) {
      last.held += 1;
      return undefined;
    }
    this.keys.delete(key);
    for (const oldest of this.keys.keys()) {
      if (this.keys.size < this.capacity) break;
      this.keys.delete(oldest);
    }
    this.keys.set(key, { at: now, held: 0 });
    return last?.held ?? 0;
  }
}
