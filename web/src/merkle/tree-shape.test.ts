import { describe, expect, it } from 'vitest';
import * as server from '../../../src/audit/merkle.ts';
import {
  canonical,
  heightOf,
  inclusionNodes,
  keyOf,
  widthAt,
  windowTree,
  type DrawNode,
} from './tree-shape.ts';

function leavesUnder(node: DrawNode): number[] {
  if (node.children.length === 0) return node.stub ? [] : [node.start];
  return node.children.flatMap(leavesUnder);
}

describe('tree shape', () => {
  it('matches the server tree levels: widths, ranges and carried-up copies', () => {
    for (let size = 1; size <= 40; size++) {
      const levels = server.treeLevels(
        Array.from({ length: size }, (_, i) => server.leafHash(Buffer.from([i]))),
      );
      expect(levels.length - 1).toBe(heightOf(size));
      levels.forEach((level, l) => {
        expect(level.length).toBe(widthAt(size, l));
        level.forEach((node, j) => {
          const own = canonical(size, l, j);
          const copy = levels[own.level]?.[own.index];
          expect(copy?.hash.equals(node.hash)).toBe(true);
          expect([copy?.start, copy?.end]).toEqual([node.start, node.end]);
        });
      });
    }
  });

  it('has one sibling per inclusion proof hash', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = Array.from({ length: size }, (_, i) => server.leafHash(Buffer.from([i])));
      for (let leaf = 0; leaf < size; leaf++) {
        const { path, siblings } = inclusionNodes(size, leaf);
        expect(siblings.length).toBe(server.inclusionProof(leaves, leaf).length);
        expect(path[0]).toBe(keyOf(0, leaf));
        expect(path.at(-1)).toBe(keyOf(heightOf(size), 0));
      }
    }
  });

  it('opens exactly the window and closes the path siblings above it', () => {
    const size = 100;
    const tree = windowTree(size, { start: 32, span: 16 }, () => undefined);
    expect(leavesUnder(tree)).toEqual(Array.from({ length: 16 }, (_, i) => 32 + i));
    const stubs: DrawNode[] = [];
    const walk = (n: DrawNode) => (n.stub ? stubs.push(n) : n.children.forEach(walk));
    walk(tree);
    expect(stubs.map((s) => [s.start, s.end])).toEqual([
      [0, 32],
      [48, 64],
      [64, 100],
    ]);
    const last = windowTree(size, { start: 96, span: 16 }, () => undefined);
    expect(leavesUnder(last)).toEqual([96, 97, 98, 99]);
  });
});
