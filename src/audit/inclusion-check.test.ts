import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInclusion } from './inclusion-check.ts';
import {
  inclusionProof,
  largestPowerOfTwoBelow,
  leafHash,
  rootFromLeafHashes,
  shapeWithoutSize,
} from './merkle.ts';

const flip = (bytes: Uint8Array, bit: number): Buffer => {
  const copy = Buffer.from(bytes);
  const at = Math.floor(bit / 8) % copy.length;
  copy[at] = (copy[at] ?? 0) ^ (1 << (bit % 8));
  return copy;
};

/** A tree of distinct items (so no leaf is at two places), one of its leaves and its proof. */
const proved = fc
  .uniqueArray(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 70 })
  .chain((items) => fc.record({ items: fc.constant(items), index: fc.nat(items.length - 1) }))
  .map(({ items, index }) => {
    const hashes = items.map((item) => leafHash(Buffer.from(item, 'utf8')));
    return {
      size: items.length,
      index,
      leafHash: hashes[index] ?? Buffer.alloc(0),
      proof: inclusionProof(hashes, index),
      root: rootFromLeafHashes(hashes),
    };
  });

describe('checkInclusion', () => {
  it('verifies every leaf of every tree, with and without the tree size', () => {
    fc.assert(
      fc.property(proved, (p) => {
        for (const treeSize of [p.size, undefined]) {
          const check = checkInclusion({ ...p, treeSize });
          expect(check.valid).toBe(true);
          expect(check.reason).toBeUndefined();
        }
      }),
    );
  });

  it('refuses a wrong leaf, root or proof hash, and a proof with a hash too many or too few', () => {
    fc.assert(
      fc.property(proved, fc.nat(255), fc.nat(), (p, bit, at) => {
        const i = p.proof.length === 0 ? 0 : at % p.proof.length;
        const mutants = [
          { ...p, leafHash: flip(p.leafHash, bit) },
          { ...p, root: flip(p.root, bit) },
          { ...p, proof: [...p.proof, p.root] },
        ];
        if (p.proof.length > 0) {
          mutants.push({ ...p, proof: p.proof.slice(1) });
          mutants.push({ ...p, proof: p.proof.map((h, j) => (j === i ? flip(h, bit) : h)) });
        }
        for (const mutant of mutants) {
          for (const treeSize of [p.size, undefined]) {
            const check = checkInclusion({ ...mutant, treeSize });
            expect(check.valid).toBe(false);
            expect(check.message).toMatch(/^Proof not valid: /);
          }
        }
      }),
    );
  });

  it('refuses every other index given the tree size, and without it whenever it says the index was checked', () => {
    fc.assert(
      fc.property(proved, fc.nat(200), (p, other) => {
        fc.pre(other !== p.index);
        expect(checkInclusion({ ...p, index: other, treeSize: p.size }).valid).toBe(false);
        const claimed = checkInclusion({ ...p, treeSize: undefined });
        const wrong = checkInclusion({ ...p, index: other, treeSize: undefined });
        // Checked means no other index passes; one that passes says it was not checked.
        if (claimed.index_checked) expect(wrong.valid).toBe(false);
        if (wrong.valid) expect(wrong.index_checked).toBe(false);
      }),
    );
  });

  it("checks the index without the tree size exactly for leaves in the root's left subtree", () => {
    fc.assert(
      fc.property(proved, (p) => {
        const left = p.size === 1 || p.index < largestPowerOfTwoBelow(p.size);
        expect(checkInclusion({ ...p, treeSize: undefined }).index_checked).toBe(left);
      }),
    );
  });

  it('explains a failure given the tree size', () => {
    const hashes = ['a', 'b', 'c'].map((s) => leafHash(Buffer.from(s)));
    const root = rootFromLeafHashes(hashes);
    const proof = inclusionProof(hashes, 1);
    const base = { leafHash: hashes[1] ?? Buffer.alloc(0), index: 1, proof, root };
    expect(checkInclusion({ ...base, index: 3, treeSize: 3 }).reason).toBe(
      'index 3 is outside a tree of 3',
    );
    expect(checkInclusion({ ...base, proof: proof.slice(1), treeSize: 3 }).reason).toBe(
      'the proof has 1 hashes; leaf 1 of a tree of 3 needs 2',
    );
    expect(checkInclusion({ ...base, proof: [], index: 3, treeSize: undefined }).reason).toBe(
      'no tree has a proof of 0 hashes for leaf 3',
    );
  });

  it('says leaf 2 of 3 also fits leaf 1 of 2 without the size, and tells them apart with it', () => {
    const hashes = ['a', 'b', 'c'].map((s) => leafHash(Buffer.from(s)));
    const claim = {
      leafHash: hashes[2] ?? Buffer.alloc(0),
      proof: inclusionProof(hashes, 2),
      root: rootFromLeafHashes(hashes),
    };
    expect(checkInclusion({ ...claim, index: 2, treeSize: undefined })).toMatchObject({
      valid: true,
      index_checked: false,
    });
    expect(checkInclusion({ ...claim, index: 1, treeSize: undefined }).valid).toBe(true);
    expect(checkInclusion({ ...claim, index: 1, treeSize: 3 }).valid).toBe(false);
  });
});

describe('shapeWithoutSize', () => {
  it('gives the smallest tree in which the index has a path of that length', () => {
    // Brute force: the least size whose RFC 6962 path for the index is that long.
    const pathLength = (index: number, size: number): number => {
      let length = 0;
      for (
        let fn = index, sn = size - 1;
        sn > 0;
        fn = Math.floor(fn / 2), sn = Math.floor(sn / 2)
      ) {
        if (fn % 2 === 1 || fn < sn) length += 1;
      }
      return length;
    };
    for (let index = 0; index < 40; index += 1) {
      for (let length = 0; length < 8; length += 1) {
        let least: number | undefined;
        for (let size = index + 1; size <= 2 ** length + index && least === undefined; size += 1) {
          if (pathLength(index, size) === length) least = size;
        }
        expect(shapeWithoutSize(index, length)?.smallest, `${index}, ${length}`).toBe(least);
      }
    }
  });
});
