// The tamper-evident audit log. Appends are serialized and happen inside the transaction of the
// change they record: a leaf joins the in-memory tree only after its transaction commits. Tree
// heads are signed every few seconds or leaves, each checked consistent with the one before.
// One writer per database: the exchange process that owns the sequencer.

import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError } from '../errors.ts';
import type { AuditRepo, StoredTreeHead } from '../store/audit.repo.ts';
import { checkIntegrity, type IntegrityReport } from './integrity.ts';
import {
  payloadHash,
  sealLeaves,
  type AuditEntry,
  type AuditLeaf,
  type AuditRows,
  type AuditTile,
} from './leaf.ts';
import { verifyConsistency } from './merkle.ts';
import { adminActionEntry, type AdminAction } from './records.ts';
import { signTreeHead, verifyTreeHead } from './tree-head.ts';
import { AuditTree, TILE_LEAVES, type Tiles } from './tree.ts';

export interface AuditLogOptions {
  repo: AuditRepo;
  key: { privateKey: KeyObject; publicKey: KeyObject };
  now: () => number;
  /** Sign a head when the newest is this old (ms) and leaves were added since. */
  headIntervalMs: number;
  /** …or as soon as this many leaves are not yet covered by a head. */
  headEveryLeaves: number;
  log?: Logger | undefined;
}

/**
 * Seals entries as leaves numbered after everything appended so far in this write, with the
 * roots of the tiles they complete: the rows to store in the write's transaction.
 */
export type Seal = (entries: readonly AuditEntry[]) => AuditRows;

/** Readers may ask for a head over new leaves at most this often; the timer signs the rest. */
const ON_DEMAND_HEAD_MS = 1000;

const SCAN_PAGE = 10_000;

export class AuditLog {
  private tree = new AuditTree();
  private head: StoredTreeHead | undefined;
  private writing: Promise<unknown> = Promise.resolve();
  private signing: Promise<StoredTreeHead | undefined> | undefined;
  private checking: Promise<IntegrityReport & { durationMs: number }> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** What opening found wrong: the log does not match its last signed head. */
  readonly problems: string[] = [];

  private constructor(private readonly options: AuditLogOptions) {}

  /**
   * Rebuilds the tree from the stored tile roots and the leaves after the last tile (rehashing
   * those), then checks it against the last signed tree head. Rehashing every leaf and every
   * row is the integrity check's job. Problems are reported, not thrown: the caller decides.
   */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const log = new AuditLog(options);
    await log.load();
    return log;
  }

  /**
   * Rebuilds the tree from the database again, in turn with the writers: after a write that
   * failed, yet may have committed, the tree may be a write behind the tables.
   */
  reload(): Promise<void> {
    const run = this.writing.then(() => this.load());
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    const { options, problems } = this;
    problems.length = 0;
    const tiles = await options.repo.tiles();
    const roots: Buffer[] = [];
    for (const { tile, hash } of tiles) {
      if (tile !== roots.length) {
        problems.push(`audit tile ${roots.length} is missing (the next stored is ${tile})`);
        break;
      }
      roots.push(hash);
    }
    const edge: Buffer[] = [];
    const start = roots.length * TILE_LEAVES;
    for await (const page of options.repo.scan(SCAN_PAGE, start)) {
      for (const leaf of page) {
        if (leaf.seq !== start + edge.length) {
          problems.push(
            `audit leaf ${start + edge.length} is missing (the next stored is ${leaf.seq})`,
          );
          break;
        }
        if (problems.length === 0 && payloadHash(leaf.payload).toString('hex') !== leaf.leaf_hash) {
          problems.push(`audit leaf ${leaf.seq} (${leaf.kind}) does not hash to its stored hash`);
        }
        edge.push(Buffer.from(leaf.leaf_hash, 'hex'));
      }
      if (edge.length >= TILE_LEAVES) {
        problems.push(`audit tile ${roots.length} was not stored with its last leaf`);
        break;
      }
      if (problems.length > 0) break;
    }
    // Kept in step with the tables even when broken, so later appends do not collide.
    this.tree = AuditTree.restore(roots, edge.slice(0, TILE_LEAVES - 1));
    this.head = await options.repo.latestHead();
    if (problems.length === 0 && this.head !== undefined) {
      const problem = await this.checkHead(this.head);
      if (problem !== undefined) problems.push(problem);
    }
  }

  get size(): number {
    return this.tree.size;
  }

  get latestHead(): StoredTreeHead | undefined {
    return this.head;
  }

  get publicKey(): KeyObject {
    return this.options.key.publicKey;
  }

  /**
   * Runs `write` alone among writers; it seals its entries with `seal` and stores the leaves in
   * its own transaction. The tree takes the leaves only if `write` succeeds.
   */
  record<T>(write: (seal: Seal) => Promise<T> | T): Promise<T> {
    const run = async (): Promise<T> => {
      const sealed: AuditLeaf[] = [];
      const tileRoots = new Map<number, Buffer>();
      const filler = this.tree.filler();
      const seal: Seal = (entries) => {
        const leaves = sealLeaves(this.tree.size + sealed.length, entries);
        const tiles: AuditTile[] = [];
        for (const leaf of leaves) {
          const tile = filler.add(leaf.leafHash);
          if (tile === undefined) continue;
          tiles.push(tile);
          tileRoots.set(leaf.seq, tile.hash);
        }
        sealed.push(...leaves);
        return { leaves, tiles };
      };
      const result = await write(seal);
      for (const leaf of sealed) this.tree.append(leaf.leafHash, tileRoots.get(leaf.seq));
      const covered = this.head?.treeSize ?? 0;
      if (this.tree.size - covered >= this.options.headEveryLeaves) void this.signSoon();
      return result;
    };
    const result = this.writing.then(run);
    this.writing = result.catch(() => undefined);
    return result;
  }

  /** Appends an administrator's action that changes no row of its own. */
  async recordAction(action: AdminAction): Promise<void> {
    const entry = adminActionEntry(action, this.options.now());
    await this.record((seal) => this.options.repo.append(seal([entry])));
  }

  /** Signs heads on a timer until {@link close}. */
  start(): void {
    this.timer = setInterval(() => void this.signSoon(), this.options.headIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer that {@link start} set; signs nothing (a node stepping down as leader). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops the timer and signs a last head over everything written. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.signHead();
  }

  /**
   * Signs a head over the current size if it grew, after checking it is consistent with the
   * previous head. Concurrent callers share one signing.
   */
  signHead(): Promise<StoredTreeHead | undefined> {
    this.signing ??= this.signNext().finally(() => {
      this.signing = undefined;
    });
    return this.signing;
  }

  async tiles(ids: readonly number[]): Promise<Tiles> {
    const tiles = new Map<number, Buffer[]>();
    for (const id of ids) {
      const rows = await this.options.repo.leafHashes(id * TILE_LEAVES, (id + 1) * TILE_LEAVES);
      tiles.set(
        id,
        rows.map((r) => r.hash),
      );
    }
    return tiles;
  }

  async root(size: number): Promise<Buffer> {
    return this.tree.root(size, await this.tiles(this.tree.tilesForRoot(size)));
  }

  async inclusionProof(index: number, size: number): Promise<Buffer[]> {
    const tiles = await this.tiles(this.tree.tilesForInclusion(index, size));
    return this.tree.inclusionProof(index, size, tiles);
  }

  async consistencyProof(size1: number, size2: number): Promise<Buffer[]> {
    const tiles = await this.tiles(this.tree.tilesForConsistency(size1, size2));
    return this.tree.consistencyProof(size1, size2, tiles);
  }

  /**
   * Nodes `start`… of a level of the tree of `size` (level 0 = leaves), for drawing it: node j
   * covers leaves [j·2^level, min((j+1)·2^level, size)).
   */
  async nodes(
    size: number,
    level: number,
    start: number,
    count: number,
  ): Promise<{ start: number; end: number; hash: Buffer }[]> {
    const span = 2 ** level;
    const width = Math.ceil(size / span);
    const ranges: [number, number][] = [];
    for (let j = start; j < Math.min(start + count, width); j += 1) {
      ranges.push([j * span, Math.min((j + 1) * span, size)]);
    }
    const ids = new Set(ranges.flatMap(([s, e]) => this.tree.tilesForNode(s, e)));
    const tiles = await this.tiles([...ids]);
    return ranges.map(([s, e]) => ({ start: s, end: e, hash: this.tree.nodeHash(s, e, tiles) }));
  }

  /**
   * The newest signed head, signing one first if none covers `size` leaves yet. Readers get a
   * new head at most once a second (409 CONFLICT sooner), so reads cannot make a head each.
   */
  async headCovering(size = 1): Promise<StoredTreeHead> {
    let head = this.head;
    if (head === undefined || head.treeSize < size) {
      if (head !== undefined && this.options.now() - head.timestamp < ON_DEMAND_HEAD_MS) {
        throw new ApiError(
          'CONFLICT',
          `no signed tree head covers ${size} leaves yet; ask again in a second`,
        );
      }
      head = (await this.signHead()) ?? head;
    }
    if (head === undefined || head.treeSize < size) {
      throw new ApiError('NOT_FOUND', 'the audit log has no leaves yet');
    }
    return head;
  }

  /** A tree size to read at: `requested`, or the latest signed head's; never beyond the log. */
  async readableSize(requested: number | undefined): Promise<number> {
    if (requested === undefined) return (await this.headCovering()).treeSize;
    if (requested > this.size) {
      throw new ApiError('VALIDATION_FAILED', `tree_size must be at most ${this.size}`);
    }
    return requested;
  }

  /** The integrity check (see integrity.ts); concurrent callers share one run, it reads it all. */
  checkIntegrity(): Promise<IntegrityReport & { durationMs: number }> {
    this.checking ??= (async () => {
      const started = this.options.now();
      const report = await checkIntegrity(this.options.repo, this.publicKey);
      return { ...report, durationMs: this.options.now() - started };
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private signSoon(): Promise<StoredTreeHead | undefined> {
    return this.signHead().catch((error: unknown) => {
      this.options.log?.error({ err: error }, 'could not sign an audit tree head');
      return undefined;
    });
  }

  private async signNext(): Promise<StoredTreeHead | undefined> {
    const size = this.tree.size;
    const previous = this.head;
    // A log that does not match its last head gets no new head: that would paper over the gap.
    if (this.problems.length > 0 || size === 0 || size <= (previous?.treeSize ?? 0)) {
      return undefined;
    }
    const rootHash = await this.root(size);
    let proof: Buffer[] = [];
    if (previous !== undefined) {
      proof = await this.consistencyProof(previous.treeSize, size);
      if (!verifyConsistency(previous.treeSize, size, proof, previous.rootHash, rootHash)) {
        throw new Error(
          `the audit tree at ${size} is not consistent with the head at ${previous.treeSize}`,
        );
      }
    }
    const head = signTreeHead(
      { treeSize: size, rootHash, timestamp: this.options.now() },
      this.options.key,
    );
    await this.options.repo.insertHead(head, proof);
    const stored = { ...head, consistencyProof: proof };
    if (this.head === undefined || this.head.treeSize < size) this.head = stored;
    return stored;
  }

  /** Why `head` does not vouch for the stored leaves, or undefined when it does. */
  private async checkHead(head: StoredTreeHead): Promise<string | undefined> {
    if (!verifyTreeHead(head, this.options.key.publicKey)) {
      return `the signed tree head at size ${head.treeSize} does not verify with the audit key`;
    }
    if (head.treeSize > this.tree.size) {
      return `the audit log has ${this.tree.size} leaves but its last signed head covers ${head.treeSize}`;
    }
    const root = await this.root(head.treeSize);
    if (!root.equals(head.rootHash)) {
      return `the audit log's root at size ${head.treeSize} differs from its signed tree head`;
    }
    return undefined;
  }
}
