import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, rootFromLeafHashes, treeLevels } from './merkle.ts';
import { AuditTree, TILE_LEAVES, type Tiles } from './tree.ts';

function leaves(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest());
}

function grown(all: readonly Buffer[]): AuditTree {
  const tree = new AuditTree();
  for (const leaf of all) tree.append(leaf);
  return tree;
}

/** Loads only the tiles the tree asks for, as the log does from the database. */
function load(all: readonly Buffer[], tiles: number[]): Tiles {
  return new Map(tiles.map((t) => [t, all.slice(t * TILE_LEAVES, (t + 1) * TILE_LEAVES)]));
}

const MAX = 3 * TILE_LEAVES + 17;
const all = leaves(MAX);
const tree = grown(all);

describe('AuditTree', () => {
  it('has the RFC 6962 root at every size, from memory plus one tile', () => {
    for (let size = 0; size <= MAX; size += 1) {
      const root = tree.root(size, load(all, tree.tilesForRoot(size)));
      expect(root.equals(rootFromLeafHashes(all.slice(0, size)))).toBe(true);
    }
  });

  it('gives the same inclusion proofs as the whole-array builder for any past size', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: MAX })
          .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }))),
        ([size, index]) => {
          const proof = tree.inclusionProof(
            index,
            size,
            load(all, tree.tilesForInclusion(index, size)),
          );
          expect(proof).toEqual(inclusionProof(all.slice(0, size), index));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('gives the same consistency proofs as the whole-array builder', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: MAX })
          .chain((size2) => fc.tuple(fc.integer({ min: 0, max: size2 }), fc.constant(size2))),
        ([size1, size2]) => {
          const proof = tree.consistencyProof(
            size1,
            size2,
            load(all, tree.tilesForConsistency(size1, size2)),
          );
          expect(proof).toEqual(consistencyProof(all.slice(0, size2), size1));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answers node hashes of the drawing levels', () => {
    const size = 2 * TILE_LEAVES + 5;
    const levels = treeLevels(all.slice(0, size));
    for (const level of levels) {
      for (const node of level) {
        const tiles = load(all, tree.tilesForNode(node.start, node.end));
        expect(tree.nodeHash(node.start, node.end, tiles).equals(node.hash)).toBe(true);
      }
    }
  });

  it('restores from tile roots and the leaves after them to the same tree', () => {
    const tiles = Math.floor(MAX / TILE_LEAVES);
    const roots = Array.from({ length: tiles }, (_, t) =>
      rootFromLeafHashes(all.slice(t * TILE_LEAVES, (t + 1) * TILE_LEAVES)),
    );
    const restored = AuditTree.restore(roots, all.slice(tiles * TILE_LEAVES));
    expect(restored.size).toBe(MAX);
    expect(restored.root().equals(tree.root())).toBe(true);
    const index = 5;
    const proofTiles = load(all, restored.tilesForInclusion(index, MAX));
    expect(restored.inclusionProof(index, MAX, proofTiles)).toEqual(inclusionProof(all, index));
    expect(() => AuditTree.restore([], all.slice(0, TILE_LEAVES))).toThrow(RangeError);
  });

  it('says which tile is missing instead of guessing', () => {
    expect(() => tree.inclusionProof(3, MAX, new Map())).toThrow(/tile of leaf/);
  });

  it('refuses sizes beyond what it holds', () => {
    expect(() => tree.root(MAX + 1)).toThrow(RangeError);
    expect(() => tree.inclusionProof(MAX, MAX, new Map())).toThrow(RangeError);
  });
});
