// The audit log's Merkle tree, kept incrementally: O(1) amortized hashing per append, and the
// roots of every perfect subtree of TILE_LEAVES leaves or more held in memory (about one byte
// per leaf), so roots and proofs for any past size need at most three tiles of leaves from
// storage. Pure: the caller loads those tiles (`tilesFor*`) and passes them in.

import {
  HASH_BYTES,
  consistencyPath,
  emptyRoot,
  inclusionPath,
  largestPowerOfTwoBelow,
  nodeHash,
  rootFromLeafHashes,
  type RangeHash,
} from './merkle.ts';
import type { AuditTile } from './leaf.ts';

const TILE_HEIGHT = 6;
export const TILE_LEAVES = 2 ** TILE_HEIGHT;

/** Leaf hashes of whole tiles, by tile number: what a proof needs below the stored subtrees. */
export type Tiles = ReadonlyMap<number, readonly Uint8Array[]>;

/** Hashes end to end in one growing buffer: millions of them without an object each. */
class HashList {
  #bytes = Buffer.alloc(HASH_BYTES * 64);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH_BYTES > this.#bytes.length) {
      const grown = Buffer.alloc(this.#bytes.length * 2);
      this.#bytes.copy(grown);
      this.#bytes = grown;
    }
    this.#bytes.set(hash, this.length * HASH_BYTES);
    this.length += 1;
  }

  at(index: number): Buffer | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return this.#bytes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  }
}

/** Gathers leaf hashes into tiles and gives each tile's root as its last leaf arrives. */
export class TileFiller {
  #leaves: Buffer[];

  /** `next` is the index the next leaf will have; `leaves` those already in its tile. */
  constructor(
    private next = 0,
    leaves: readonly Uint8Array[] = [],
  ) {
    if (leaves.length !== next % TILE_LEAVES) {
      throw new RangeError(`leaf ${next} follows ${next % TILE_LEAVES} leaves in its tile`);
    }
    this.#leaves = leaves.map((leaf) => Buffer.from(leaf));
  }

  /** The leaves of the tile being filled (fewer than TILE_LEAVES). */
  get leaves(): readonly Buffer[] {
    return this.#leaves;
  }

  /** Another filler from the same point, to seal leaves ahead without touching this one. */
  copy(): TileFiller {
    return new TileFiller(this.next, this.#leaves);
  }

  /** Adds the next leaf; the tile it completes, with `root` if the caller already has it. */
  add(hash: Uint8Array, root?: Buffer): AuditTile | undefined {
    this.#leaves.push(Buffer.from(hash));
    this.next += 1;
    if (this.#leaves.length < TILE_LEAVES) return undefined;
    const tile = {
      tile: this.next / TILE_LEAVES - 1,
      hash: root ?? rootFromLeafHashes(this.#leaves),
    };
    this.#leaves = [];
    return tile;
  }
}

export class AuditTree {
  #size = 0;
  /** levels[k] holds the root of leaves [j·2^(TILE_HEIGHT+k), (j+1)·2^(TILE_HEIGHT+k)) at j. */
  readonly #levels: HashList[] = [];
  #edge = new TileFiller();

  /**
   * Rebuilds a tree from the roots of its complete tiles and the leaves after them, without
   * rehashing the tiles' leaves. Throws RangeError if `edge` would complete a tile.
   */
  static restore(tileRoots: readonly Uint8Array[], edge: readonly Uint8Array[]): AuditTree {
    if (edge.length >= TILE_LEAVES) {
      throw new RangeError(`the leaves after the last tile must be fewer than ${TILE_LEAVES}`);
    }
    const tree = new AuditTree();
    for (const root of tileRoots) tree.addTile(Buffer.from(root));
    tree.#size = tileRoots.length * TILE_LEAVES;
    tree.#edge = new TileFiller(tree.#size);
    for (const leaf of edge) tree.append(leaf);
    return tree;
  }

  get size(): number {
    return this.#size;
  }

  /** A filler at the tree's edge, for sealing the next leaves before they are appended. */
  filler(): TileFiller {
    return this.#edge.copy();
  }

  /**
   * Appends a leaf hash. When it completes a tile, the tile's root is computed here unless the
   * caller already has it (`tileRoot`, as the log does when it stores tiles).
   */
  append(hash: Uint8Array, tileRoot?: Buffer): void {
    if (hash.length !== HASH_BYTES) throw new RangeError(`leaf hash must be ${HASH_BYTES} bytes`);
    const tile = this.#edge.add(hash, tileRoot);
    this.#size += 1;
    if (tile !== undefined) this.addTile(tile.hash);
  }

  private addTile(root: Buffer): void {
    let carry = root;
    for (let k = 0; ; k += 1) {
      const level = (this.#levels[k] ??= new HashList());
      level.push(carry);
      if (level.length % 2 === 1) break;
      carry = nodeHash(level.at(level.length - 2) as Buffer, carry);
    }
  }

  /** The tiles (complete ones; the edge is in memory) needed for the root at `size`. */
  tilesForRoot(size: number): number[] {
    return this.stored([size - 1]);
  }

  tilesForInclusion(index: number, size: number): number[] {
    return this.stored([index, size - 1]);
  }

  tilesForConsistency(size1: number, size2: number): number[] {
    return this.stored([size1 - 1, size1, size2 - 1]);
  }

  /** The tiles needed for the root of leaves [start, end), a node of the drawn tree. */
  tilesForNode(start: number, end: number): number[] {
    return this.stored([start, end - 1]);
  }

  /** MTH(D[size]) for any size up to the current one. */
  root(size: number = this.#size, tiles: Tiles = new Map()): Buffer {
    this.checkSize(size);
    return size === 0 ? emptyRoot() : this.rangeHash(tiles)(0, size);
  }

  inclusionProof(index: number, size: number, tiles: Tiles): Buffer[] {
    this.checkSize(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`leaf ${index} is outside a tree of ${size}`);
    }
    return inclusionPath(index, size, this.rangeHash(tiles));
  }

  consistencyProof(size1: number, size2: number, tiles: Tiles): Buffer[] {
    this.checkSize(size2);
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2) {
      throw new RangeError(`size ${size1} is outside 0..${size2}`);
    }
    return consistencyPath(size1, size2, this.rangeHash(tiles));
  }

  /** The root of leaves [start, end) at tree size `size` ≥ end, as drawn level by level. */
  nodeHash(start: number, end: number, tiles: Tiles): Buffer {
    this.checkSize(end);
    return this.rangeHash(tiles)(start, end);
  }

  private stored(leaves: number[]): number[] {
    const complete = Math.floor(this.#size / TILE_LEAVES);
    const tiles = new Set<number>();
    for (const leaf of leaves) {
      const tile = Math.floor(leaf / TILE_LEAVES);
      if (leaf >= 0 && tile < complete) tiles.add(tile);
    }
    return [...tiles];
  }

  private checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#size) {
      throw new RangeError(`tree size ${size} is outside 0..${this.#size}`);
    }
  }

  private rangeHash(tiles: Tiles): RangeHash {
    const edge = this.#edge.leaves;
    const edgeStart = this.#size - edge.length;
    const leaf = (index: number): Uint8Array => {
      if (index >= edgeStart) return edge[index - edgeStart] as Buffer;
      const hash = tiles.get(Math.floor(index / TILE_LEAVES))?.[index % TILE_LEAVES];
      if (hash === undefined) throw new RangeError(`tile of leaf ${index} was not loaded`);
      return hash;
    };
    const hash: RangeHash = (start, end) => {
      const n = end - start;
      if (n === 1) return Buffer.from(leaf(start));
      if (n >= TILE_LEAVES && start % n === 0 && Number.isInteger(Math.log2(n))) {
        const stored = this.#levels[Math.log2(n) - TILE_HEIGHT]?.at(start / n);
        if (stored !== undefined) return Buffer.from(stored);
      }
      const k = largestPowerOfTwoBelow(n);
      return nodeHash(hash(start, start + k), hash(start + k, end));
    };
    return hash;
  }
}
