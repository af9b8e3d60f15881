// Blocked client addresses (keys from addressKey), each with an expiry and a reason; set
// automatically by the brute-force guard and the IDS, or by an administrator. A blocked client
// gets 403 before any other work is done for it. Time is injected.

export interface Block {
  key: string;
  reason: string;
  manual: boolean;
  since: number;
  until: number;
}

export class IpBlocks {
  private readonly blocks = new Map<string, Block>();

  constructor(private readonly now: () => number) {}

  block(key: string, durationMs: number, reason: string, manual = false): Block {
    const now = this.now();
    const existing = this.active(key);
    const block: Block = {
      key,
      reason,
      manual,
      since: existing?.since ?? now,
      until: Math.max(existing?.until ?? 0, now + durationMs),
    };
    this.blocks.set(key, block);
    return block;
  }

  /** Puts a block back as it was stored (see AddressBlocks.restore). */
  put(block: Block): void {
    this.blocks.set(block.key, block);
  }

  /** The block on `key` if it has not expired. */
  active(key: string): Block | undefined {
    const block = this.blocks.get(key);
    if (block === undefined) return undefined;
    if (block.until > this.now()) return block;
    this.blocks.delete(key);
    return undefined;
  }

  unblock(key: string): boolean {
    const had = this.active(key) !== undefined;
    this.blocks.delete(key);
    return had;
  }

  list(): Block[] {
    return [...this.blocks.keys()]
      .map((key) => this.active(key))
      .filter((b): b is Block => b !== undefined)
      .sort((a, b) => a.since - b.since);
  }
}
