// RFC 9162 (RFC 6962) Merkle tree hashing, inclusion and consistency proofs. Pure: no I/O.
// Builders throw RangeError on caller bugs; verifiers never throw and answer false to garbage.
import { createHash, hash } from 'node:crypto';

/** SHA-256 output size; every leaf hash, node hash and root is this long. */
export const HASH_BYTES = 32;

const LEAF_PREFIX = Buffer.from([0x00]);

/** MTH({d}) = SHA-256(0x00 ‖ d). */
export function leafHash(data: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  // One-shot hashing over one buffer: about a third faster than a Hash object with three updates.
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return hash('sha256', input, 'buffer');
}

/** MTH({}) = SHA-256(""), the root of the empty tree. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}

/**
 * An append-only Merkle tree that keeps only the roots of its perfect subtrees ("peaks",
 * largest first, one per set bit of the size): O(log n) memory, amortized O(1) hashing per
 * append, O(log n) per root. Suits a log of 10^6 entries; persist `size` and `peaks` to resume.
 */
export class CompactMerkleTree {
  #size = 0;
  readonly #peaks: Buffer[] = [];

  /** Rebuilds a tree from a saved size and peaks; throws RangeError if they do not fit. */
  static restore(size: number, peaks: readonly Uint8Array[]): CompactMerkleTree {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`tree size must be a non-negative safe integer, got ${size}`);
    }
    if (peaks.length !== bitCount(size) || !peaks.every(isHash)) {
      throw new RangeError(
        `a tree of size ${size} has ${bitCount(size)} peaks of ${HASH_BYTES} bytes`,
      );
    }
    const tree = new CompactMerkleTree();
    tree.#size = size;
    tree.#peaks.push(...peaks.map((peak) => Buffer.from(peak)));
    return tree;
  }

  get size(): number {
    return this.#size;
  }

  /** Copies of the perfect-subtree roots, largest (leftmost) first. */
  get peaks(): Buffer[] {
    return this.#peaks.map((peak) => Buffer.from(peak));
  }

  /** Appends a leaf hash (not raw data, see {@link leafHash}); RangeError if not 32 bytes. */
  append(hash: Uint8Array): void {
    assertHash(hash, 'leaf hash');
    let carry: Buffer = Buffer.from(hash);
    // Each trailing one bit of the old size is a peak of equal size to merge with.
    for (let size = this.#size; size % 2 === 1; size = Math.floor(size / 2)) {
      const left = this.#peaks.pop();
      if (left === undefined) throw new Error('compact tree peaks out of step with size');
      carry = nodeHash(left, carry);
    }
    this.#peaks.push(carry);
    this.#size += 1;
  }

  /** The Merkle Tree Hash of everything appended so far. */
  root(): Buffer {
    if (this.#peaks.length === 0) return emptyRoot();
    // Peaks are joined right to left: that is RFC 9162's split at the largest power of two.
    return Buffer.from(this.#peaks.reduceRight((right, left) => nodeHash(left, right)));
  }
}

/**
 * MTH(D[n]) over leaf hashes, in O(n) hashing and O(log n) memory.
 * Throws RangeError if any leaf hash is not 32 bytes.
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Buffer {
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

/**
 * MTH of the leaves in [start, end), for a range the RFC's recursion asks for: every left part is
 * a perfect, aligned subtree, so a log can answer from stored subtree roots without the leaves.
 */
export type RangeHash = (start: number, end: number) => Buffer;

/**
 * RFC 9162 §2.1.3.1 PATH(m, D[n]): sibling hashes from the leaf up to the root.
 * O(n) hashing. Throws RangeError if `index` is not a leaf index or a leaf hash is not 32 bytes.
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafHashes.length) {
    throw new RangeError(`leaf index ${index} is outside a tree of ${leafHashes.length}`);
  }
  assertHash(leafHashes[index], 'leaf hash');
  return inclusionPath(index, leafHashes.length, arrayRangeHash(leafHashes));
}

/** PATH(index, D[size]) with subtree roots from `rangeHash`; the caller checks the bounds. */
export function inclusionPath(index: number, size: number, rangeHash: RangeHash): Buffer[] {
  const topDown: Buffer[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (index < split) {
      topDown.push(rangeHash(split, end));
      end = split;
    } else {
      topDown.push(rangeHash(start, split));
      start = split;
    }
  }
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show `leafHash` at `index` in the tree of `treeSize` with
 * `root`? False (never an exception) for an index outside the tree, a hash that is not 32 bytes,
 * or a proof of the wrong length.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[] | null | undefined,
  root: Uint8Array,
): boolean {
  const path = proof ?? [];
  if (!isIndex(index) || !isIndex(treeSize) || index >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(path) || !path.every(isHash)) {
    return false;
  }
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leafHash;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameBytes(r, root);
}

/**
 * The shape of an inclusion proof when the tree size is not known, as the original platform's
 * verify (leaf, proof, root, index) has it. A path's shape is which side each hash joins on, and
 * it depends on the size only through the level K at which the leaf's ancestor becomes the last
 * node of its level (below K every node has a sibling; from K up, only odd nodes have one, on the
 * left). The index and the proof's length fix K: it is the least K with
 * K + popcount(index >> K) = proof length. So every size that fits gives the same hashing, and
 * `smallest` is the least of them, the one to verify with.
 *
 * `pinned` says whether the index is bound too: it is when the path never joins the last node of
 * a level (K = the proof length). Otherwise the same proof also fits other indices whose bits
 * from K up are placed differently (leaf 2 of 3 and leaf 1 of 2, under a left sibling that is a
 * subtree's root, hash alike): only the tree size tells them apart.
 * Undefined when no tree has a path this long for this index.
 */
export function shapeWithoutSize(
  index: number,
  proofLength: number,
): { smallest: number; pinned: boolean } | undefined {
  if (!isIndex(index) || !isIndex(proofLength)) return undefined;
  for (let k = 0, high = index, low = 1; k <= proofLength; k += 1) {
    if (k + bitCount(high) === proofLength) {
      // Leaves before the ancestor's block, then one past half of the block (k > 0).
      const last = high * low + (k === 0 ? 0 : low / 2);
      const smallest = last + 1;
      return Number.isSafeInteger(smallest) ? { smallest, pinned: high === 0 } : undefined;
    }
    high = Math.floor(high / 2);
    low *= 2;
  }
  return undefined;
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true). The RFC defines it for
 * 0 < m < n; for m = n and for m = 0 this returns [] (nothing to prove).
 * Throws RangeError if m is not in 0..n or a leaf hash is not 32 bytes.
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], size1: number): Buffer[] {
  if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > leafHashes.length) {
    throw new RangeError(`size1 ${size1} is outside 0..${leafHashes.length}`);
  }
  return consistencyPath(size1, leafHashes.length, arrayRangeHash(leafHashes));
}

/** PROOF(size1, D[size2]) with subtree roots from `rangeHash`; the caller checks the bounds. */
export function consistencyPath(size1: number, size2: number, rangeHash: RangeHash): Buffer[] {
  if (size1 === 0 || size1 === size2) return [];
  const topDown: Buffer[] = [];
  let m = size1;
  let start = 0;
  let end = size2;
  let wholeOldTree = true;
  while (m !== end - start) {
    const k = largestPowerOfTwoBelow(end - start);
    if (m <= k) {
      topDown.push(rangeHash(start + k, end));
      end = start + k;
    } else {
      topDown.push(rangeHash(start, start + k));
      start += k;
      m -= k;
      wholeOldTree = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}; while b is true the verifier already holds that root.
  if (!wholeOldTree) topDown.push(rangeHash(start, end));
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show the tree of `size1` with `root1` is a prefix of the tree
 * of `size2` with `root2`? Never throws. Policies beyond the RFC, matching the vectors:
 * - size1 = size2: true only for an empty proof and identical roots (compared as bytes), and for
 *   size 0 only if both roots are SHA-256("");
 * - size1 = 0 < size2: false. A proof from the empty tree proves nothing, so it is refused.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[] | null | undefined,
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  const path = proof ?? [];
  if (!isIndex(size1) || !isIndex(size2) || size1 > size2 || !Array.isArray(path)) return false;
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) return false;
  if (size1 === size2) {
    if (path.length !== 0 || !sameBytes(root1, root2)) return false;
    return size1 !== 0 || sameBytes(root1, emptyRoot());
  }
  if (size1 === 0 || path.length === 0 || !path.every(isHash)) return false;
  if (!isHash(root1) || !isHash(root2)) return false;

  const steps: readonly Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...path] : path;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  const [first, ...rest] = steps;
  if (first === undefined) return false;
  let fr: Uint8Array = first;
  let sr: Uint8Array = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameBytes(fr, root1) && sameBytes(sr, root2);
}

/** A node of {@link treeLevels}. */
export interface TreeNode {
  readonly hash: Buffer;
  /** The leaves under this node: indices start (inclusive) to end (exclusive). */
  readonly start: number;
  readonly end: number;
  /**
   * Indices into the level below: none for a leaf, two for an interior node, one for a node
   * carried up unchanged (same hash) because its subtree has no right sibling at that height.
   */
  readonly children: readonly number[];
}

/**
 * The tree for drawing: levels[0] are the leaves, each next level pairs neighbours left to
 * right, and the last level is [root]. The rightmost node of a level with an odd count is
 * carried up unchanged, which yields exactly RFC 9162's tree (split at the largest power of
 * two below n); collapse one-child nodes to draw it without the carried copies.
 * No leaves gives [] (the empty root, SHA-256(""), has no node to draw).
 * Throws RangeError if a leaf hash is not 32 bytes.
 */
export function treeLevels(leafHashes: readonly Uint8Array[]): TreeNode[][] {
  if (leafHashes.length === 0) return [];
  let level: TreeNode[] = leafHashes.map((hash, index) => {
    assertHash(hash, 'leaf hash');
    return { hash: Buffer.from(hash), start: index, end: index + 1, children: [] };
  });
  const levels: TreeNode[][] = [level];
  while (level.length > 1) {
    const next: TreeNode[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i];
      const right = level[i + 1];
      if (left === undefined) break;
      next.push(
        right === undefined
          ? { hash: left.hash, start: left.start, end: left.end, children: [i] }
          : {
              hash: nodeHash(left.hash, right.hash),
              start: left.start,
              end: right.end,
              children: [i, i + 1],
            },
      );
    }
    levels.push(next);
    level = next;
  }
  return levels;
}

function arrayRangeHash(leafHashes: readonly Uint8Array[]): RangeHash {
  return (start, end) => subtreeRoot(leafHashes, start, end);
}

function subtreeRoot(leafHashes: readonly Uint8Array[], start: number, end: number): Buffer {
  const tree = new CompactMerkleTree();
  for (let i = start; i < end; i += 1) {
    const hash = leafHashes[i];
    assertHash(hash, 'leaf hash');
    tree.append(hash);
  }
  return tree.root();
}

/** The largest power of two strictly below n, for n > 1. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && largestPowerOfTwoBelow(n + 1) === n;
}

function bitCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_BYTES;
}

function assertHash(value: unknown, what: string): asserts value is Uint8Array {
  if (!isHash(value)) throw new RangeError(`${what} must be ${HASH_BYTES} bytes`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
