// Blocked client addresses (keys from addressKey), each with an expiry and a reason; set
// automatically by the brute-force guard and the IDS, or by an administrator. A blocked client
// gets 403 before any other work is done for it, checked against this node's copy without I/O.
// Alone, the copy is the truth; in a cluster, Redis is (see shared-ip-blocks.ts). Time is injected.

export interface Block {
  key: string;
  reason: string;
  manual: boolean;
  since: number;
  until: number;
}

export interface IpBlocks {
  /** The block on `key` if it has not expired, from this node's copy: no I/O, hot path. */
  active(key: string): Block | undefined;
  /** The blocks in force, oldest first. */
  list(): Block[];
  /**
   * Blocks `key` for `durationMs` from now; on a key already blocked, the block keeps its start
   * and lasts to the later of the two ends. Gives the block now in force.
   */
  block(key: string, durationMs: number, reason: string, manual?: boolean): Promise<Block>;
  /** Puts back a block as it was stored (see AddressBlocks.restore), merged as `block` merges. */
  put(block: Block): Promise<void>;
  /** Lifts the block on `key`; false if there was none. */
  unblock(key: string): Promise<boolean>;
  /**
   * Starts keeping this node's copy. `restoreStored` puts the stored (manual) blocks back: once
   * now, and again whenever the copy is reloaded from a store that may have lost them.
   */
  open(restoreStored: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Blocks in one process's memory: synchronous, the copy every IpBlocks checks against. */
export class BlockTable {
  private readonly blocks = new Map<string, Block>();

  constructor(private readonly now: () => number) {}

  /** Adds `block`, merged with one in force on its key: the earlier start, the later end. */
  merge(block: Block): Block {
    const existing = this.active(block.key);
    const merged: Block =
      existing === undefined
        ? block
        : {
            ...block,
            since: Math.min(existing.since, block.since),
            until: Math.max(existing.until, block.until),
          };
    this.blocks.set(block.key, merged);
    return merged;
  }

  /** Replaces whatever is held on the block's key. */
  set(block: Block): void {
    this.blocks.set(block.key, block);
  }

  active(key: string): Block | undefined {
    const block = this.blocks.get(key);
    if (block === undefined) return undefined;
    if (block.until > this.now()) return block;
    this.blocks.delete(key);
    return undefined;
  }

  /** Whether a block was in force on `key`; it is gone either way. */
  delete(key: string): boolean {
    const had = this.active(key) !== undefined;
    this.blocks.delete(key);
    return had;
  }

  keys(): string[] {
    return [...this.blocks.keys()];
  }

  list(): Block[] {
    return this.keys()
      .map((key) => this.active(key))
      .filter((b): b is Block => b !== undefined)
      .sort((a, b) => a.since - b.since);
  }
}

/** A single node's blocks: its memory is the whole truth. */
export class LocalIpBlocks implements IpBlocks {
  private readonly table: BlockTable;

  constructor(private readonly now: () => number) {
    this.table = new BlockTable(now);
  }

  active(key: string): Block | undefined {
    return this.table.active(key);
  }

  list(): Block[] {
    return this.table.list();
  }

  block(key: string, durationMs: number, reason: string, manual = false): Promise<Block> {
    const now = this.now();
    return Promise.resolve(
      this.table.merge({ key, reason, manual, since: now, until: now + durationMs }),
    );
  }

  put(block: Block): Promise<void> {
    this.table.merge(block);
    return Promise.resolve();
  }

  unblock(key: string): Promise<boolean> {
    return Promise.resolve(this.table.delete(key));
  }

  open(restoreStored: () => Promise<void>): Promise<void> {
    return restoreStored();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
