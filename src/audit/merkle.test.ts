import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactMerkleTree,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromLeafHashes,
  treeLevels,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
import {
  REFERENCE_LEAVES,
  REFERENCE_ROOTS,
  loadConsistencyVectors,
  loadInclusionVectors,
} from './merkle-vectors.ts';

// The leaves and roots of /work/shared/vectors/README.md (RFC 6962 reference tree).
const LEAVES = REFERENCE_LEAVES.map((hex) => leafHash(Buffer.from(hex, 'hex')));
const ROOTS = REFERENCE_ROOTS;

// A slow, literal reading of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 to check the fast code against.
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
function referenceRoot(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return createHash('sha256').digest();
  if (d.length === 1) return d[0] ?? Buffer.alloc(0);
  const k = splitPoint(d.length);
  return nodeHash(referenceRoot(d.slice(0, k)), referenceRoot(d.slice(k)));
}
function referencePath(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = splitPoint(d.length);
  return m < k
    ? [...referencePath(m, d.slice(0, k)), referenceRoot(d.slice(k))]
    : [...referencePath(m - k, d.slice(k)), referenceRoot(d.slice(0, k))];
}
function referenceSubproof(m: number, d: readonly Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [referenceRoot(d)];
  const k = splitPoint(d.length);
  return m <= k
    ? [...referenceSubproof(m, d.slice(0, k), b), referenceRoot(d.slice(k))]
    : [...referenceSubproof(m - k, d.slice(k), false), referenceRoot(d.slice(0, k))];
}

const hex = (hash: Buffer) => hash.toString('hex');
const flipBit = (hash: Uint8Array, bit: number): Buffer => {
  const copy = Buffer.from(hash);
  const index = Math.floor(bit / 8) % copy.length;
  copy[index] = (copy[index] ?? 0) ^ (1 << (bit % 8));
  return copy;
};

describe('Merkle Tree Hash', () => {
  it('matches the README roots for 0..8 leaves, by every route', () => {
    ROOTS.forEach((root, n) => {
      const leaves = LEAVES.slice(0, n);
      expect(hex(rootFromLeafHashes(leaves))).toBe(root);
      expect(hex(referenceRoot(leaves))).toBe(root);
      const levels = treeLevels(leaves);
      expect(
        levels.length === 0 ? hex(emptyRoot()) : hex(levels.at(-1)?.[0]?.hash ?? Buffer.alloc(0)),
      ).toBe(root);
    });
    expect(ROOTS).toHaveLength(9);
  });

  it('grows incrementally in a CompactMerkleTree through the same roots', () => {
    const tree = new CompactMerkleTree();
    expect(hex(tree.root())).toBe(ROOTS[0]);
    LEAVES.forEach((leaf, i) => {
      tree.append(leaf);
      expect(tree.size).toBe(i + 1);
      expect(hex(tree.root())).toBe(ROOTS[i + 1]);
    });
    const resumed = CompactMerkleTree.restore(tree.size, tree.peaks);
    expect(resumed.root()).toEqual(tree.root());
    expect(tree.peaks).toHaveLength(1);
  });

  it('hashes leaves and nodes with the 0x00 / 0x01 domain prefixes', () => {
    const sha = (bytes: number[]) => createHash('sha256').update(Buffer.from(bytes)).digest();
    expect(leafHash(Buffer.from([7]))).toEqual(sha([0, 7]));
    expect(nodeHash(Buffer.from([1]), Buffer.from([2]))).toEqual(sha([1, 1, 2]));
  });

  it('agrees with the reference for any leaf list, and handles 100k leaves in linear work', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 80 }), (data) => {
        const leaves = data.map(leafHash);
        expect(rootFromLeafHashes(leaves)).toEqual(referenceRoot(leaves));
      }),
    );
    const many = Array.from({ length: 100_003 }, (_, i) => leafHash(Buffer.from(String(i))));
    const tree = new CompactMerkleTree();
    for (const leaf of many) tree.append(leaf);
    const root = rootFromLeafHashes(many);
    expect(tree.root()).toEqual(root);
    expect(treeLevels(many).at(-1)?.[0]?.hash).toEqual(root);
    expect(tree.peaks).toHaveLength(8); // 100003 has eight bits set
  });

  it('refuses leaf hashes that are not 32 bytes, and a restore that cannot fit', () => {
    expect(() => rootFromLeafHashes([Buffer.alloc(31)])).toThrow(RangeError);
    expect(() => new CompactMerkleTree().append(Buffer.alloc(33))).toThrow(RangeError);
    expect(() => treeLevels([Buffer.alloc(0)])).toThrow(RangeError);
    expect(() => CompactMerkleTree.restore(3, [LEAVES[0] ?? Buffer.alloc(32)])).toThrow(RangeError);
    expect(() => CompactMerkleTree.restore(-1, [])).toThrow(RangeError);
  });
});

describe('treeLevels', () => {
  it('draws 5 leaves as RFC 9162 does: ((01)(23)) then 4, carried up', () => {
    const levels = treeLevels(LEAVES.slice(0, 5));
    const shape = levels.map((level) =>
      level.map((node) => `${node.start}-${node.end}:${node.children.join(',')}`),
    );
    expect(shape).toEqual([
      ['0-1:', '1-2:', '2-3:', '3-4:', '4-5:'],
      ['0-2:0,1', '2-4:2,3', '4-5:4'],
      ['0-4:0,1', '4-5:2'],
      ['0-5:0,1'],
    ]);
    expect(levels[1]?.[2]?.hash).toEqual(LEAVES[4]);
    expect(hex(levels[3]?.[0]?.hash ?? Buffer.alloc(0))).toBe(ROOTS[5]);
    expect(treeLevels([])).toEqual([]);
  });

  it('gives every node the hash of its children over the leaves it covers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), (n) => {
        const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from([i])));
        const levels = treeLevels(leaves);
        expect(levels.at(-1)).toHaveLength(1);
        levels.forEach((level) => {
          for (const node of level) {
            expect(node.hash).toEqual(referenceRoot(leaves.slice(node.start, node.end)));
          }
        });
      }),
      { numRuns: 30 },
    );
  });
});

describe('RFC 6962 vector files', () => {
  const inclusion = loadInclusionVectors();
  const consistency = loadConsistencyVectors();

  it(`verifyInclusion decides all ${inclusion.length} inclusion files as wanted`, () => {
    const wrong = inclusion
      .filter(
        (v) => verifyInclusion(v.leafHash, v.leafIdx, v.treeSize, v.proof, v.root) === v.wantErr,
      )
      .map((v) => v.file);
    expect(wrong).toEqual([]);
    expect(inclusion.length).toBeGreaterThanOrEqual(90);
    expect(inclusion.filter((v) => !v.wantErr).length).toBeGreaterThanOrEqual(5);
  });

  it(`verifyConsistency decides all ${consistency.length} consistency files as wanted`, () => {
    const wrong = consistency
      .filter((v) => verifyConsistency(v.size1, v.size2, v.proof, v.root1, v.root2) === v.wantErr)
      .map((v) => v.file);
    expect(wrong).toEqual([]);
    expect(consistency.length).toBeGreaterThanOrEqual(90);
    expect(consistency.filter((v) => !v.wantErr).length).toBeGreaterThanOrEqual(5);
  });

  it('regenerates the happy-path proofs over the README leaves', () => {
    let regenerated = 0;
    for (const v of inclusion.filter((v) => !v.wantErr && v.treeSize <= LEAVES.length)) {
      const leaves = LEAVES.slice(0, v.treeSize);
      if (!rootFromLeafHashes(leaves).equals(v.root)) continue;
      expect(inclusionProof(leaves, v.leafIdx)).toEqual(v.proof ?? []);
      regenerated += 1;
    }
    for (const v of consistency.filter((v) => !v.wantErr && v.size2 <= LEAVES.length)) {
      const leaves = LEAVES.slice(0, v.size2);
      if (!rootFromLeafHashes(leaves).equals(v.root2)) continue;
      expect(consistencyProof(leaves, v.size1)).toEqual(v.proof ?? []);
      regenerated += 1;
    }
    expect(regenerated).toBeGreaterThanOrEqual(5);
  });
});

const leafListArb = fc
  .array(fc.uint8Array({ maxLength: 6 }), { minLength: 1, maxLength: 70 })
  .map((data) => data.map(leafHash));

describe('inclusion proofs', () => {
  it('verify for every index of any tree, and fail for another leaf, index or root', () => {
    fc.assert(
      fc.property(leafListArb, fc.nat(255), (leaves, bit) => {
        const n = leaves.length;
        const root = rootFromLeafHashes(leaves);
        leaves.forEach((leaf, index) => {
          const proof = inclusionProof(leaves, index);
          expect(proof).toEqual(referencePath(index, leaves));
          expect(verifyInclusion(leaf, index, n, proof, root)).toBe(true);
          expect(verifyInclusion(flipBit(leaf, bit), index, n, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, index, n, proof, flipBit(root, bit))).toBe(false);
          const neighbour = leaves[index ^ 1];
          if (neighbour !== undefined && !neighbour.equals(leaf)) {
            expect(verifyInclusion(neighbour, index, n, proof, root)).toBe(false);
          }
          if (proof.length > 0) {
            expect(verifyInclusion(leaf, index, n, proof.slice(1), root)).toBe(false);
            expect(verifyInclusion(leaf, index, n, [...proof, root], root)).toBe(false);
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('throws RangeError for an index outside the tree when generating', () => {
    expect(() => inclusionProof(LEAVES, 8)).toThrow(RangeError);
    expect(() => inclusionProof(LEAVES, -1)).toThrow(RangeError);
    expect(() => inclusionProof([], 0)).toThrow(RangeError);
  });
});

describe('consistency proofs', () => {
  const sizesArb = fc
    .integer({ min: 1, max: 70 })
    .chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2)));

  it('verify for any 0 < size1 <= size2 and fail against a wrong root or swapped sizes', () => {
    fc.assert(
      fc.property(sizesArb, fc.nat(255), ([size1, size2], bit) => {
        const leaves = Array.from({ length: size2 }, (_, i) => leafHash(Buffer.from(`e${i}`)));
        const root1 = rootFromLeafHashes(leaves.slice(0, size1));
        const root2 = rootFromLeafHashes(leaves);
        const proof = consistencyProof(leaves, size1);
        if (size1 < size2) expect(proof).toEqual(referenceSubproof(size1, leaves, true));
        else expect(proof).toEqual([]);
        expect(verifyConsistency(size1, size2, proof, root1, root2)).toBe(true);
        expect(verifyConsistency(size1, size2, proof, flipBit(root1, bit), root2)).toBe(false);
        expect(verifyConsistency(size1, size2, proof, root1, flipBit(root2, bit))).toBe(false);
        expect(verifyConsistency(size2, size1, proof, root2, root1)).toBe(size1 === size2);
        if (size1 < size2) {
          expect(verifyConsistency(size1, size2, proof.slice(1), root1, root2)).toBe(false);
          const [first = root1, ...rest] = proof;
          expect(
            verifyConsistency(size1, size2, [flipBit(first, bit), ...rest], root1, root2),
          ).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('are empty for size1 = 0 or size1 = n, and the generator refuses size1 > n', () => {
    expect(consistencyProof(LEAVES, 0)).toEqual([]);
    expect(consistencyProof(LEAVES, 8)).toEqual([]);
    expect(() => consistencyProof(LEAVES, 9)).toThrow(RangeError);
    expect(verifyConsistency(0, 0, [], emptyRoot(), emptyRoot())).toBe(true);
    expect(verifyConsistency(0, 3, [], emptyRoot(), rootFromLeafHashes(LEAVES.slice(0, 3)))).toBe(
      false,
    );
  });
});

describe('verifiers on garbage', () => {
  const garbage = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constant(new Uint8Array(32)));
  const numberArb = fc.oneof(
    fc.integer({ min: -3, max: 70 }),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 64, Number.NaN, Infinity),
  );
  const proofArb = fc.option(fc.array(garbage, { maxLength: 8 }));

  it('return false and never throw', () => {
    fc.assert(
      fc.property(garbage, numberArb, numberArb, proofArb, garbage, (leaf, a, b, proof, root) => {
        expect(verifyInclusion(leaf, a, b, proof, root)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(numberArb, numberArb, proofArb, garbage, garbage, (a, b, proof, r1, r2) => {
        fc.pre(!(a === b && Buffer.compare(r1, r2) === 0));
        expect(verifyConsistency(a, b, proof, r1, r2)).toBe(false);
      }),
    );
  });
});
