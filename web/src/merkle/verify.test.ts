// The browser's RFC 9162 checks against the server's proof builders (src/audit/merkle.ts) for
// random trees: every honest proof verifies, and any one flipped bit is refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as server from '../../../src/audit/merkle.ts';
import { itemsOf, itemsProblem, decodeItem } from './leaf-data.ts';
import { flipBit, fromHex, leafHash, toHex, verifyConsistency, verifyInclusion } from './verify.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const leavesOf = (n: number) =>
  Array.from({ length: n }, (_, i) => server.leafHash(Buffer.from(`leaf ${i}`)));

describe('verifyInclusion (RFC 9162 §2.1.3.2)', () => {
  it('accepts every proof the server builds and refuses it with one bit flipped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 70 })
          .chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.nat(64))),
        async ([n, index, pick]) => {
          const leaves = leavesOf(n);
          const root = hex(server.rootFromLeafHashes(leaves));
          const proof = server.inclusionProof(leaves, index).map(hex);
          const leaf = hex(leaves[index] ?? new Uint8Array());
          expect(await verifyInclusion(leaf, index, n, proof, root)).toBe(true);
          expect(await verifyInclusion(flipBit(leaf), index, n, proof, root)).toBe(false);
          expect(await verifyInclusion(leaf, index, n, proof, flipBit(root))).toBe(false);
          if (proof.length > 0) {
            const k = pick % proof.length;
            const tampered = proof.map((p, i) => (i === k ? flipBit(p) : p));
            expect(await verifyInclusion(leaf, index, n, tampered, root)).toBe(false);
          }
          if (n > 1)
            expect(await verifyInclusion(leaf, (index + 1) % n, n, proof, root)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses malformed input instead of throwing', async () => {
    const leaf = hex(server.leafHash(Buffer.from('x')));
    expect(await verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
    expect(await verifyInclusion(leaf, 1, 1, [], leaf)).toBe(false);
    expect(await verifyInclusion(leaf, 0, 1, [leaf], leaf)).toBe(false);
    expect(await verifyInclusion('zz', 0, 1, [], leaf)).toBe(false);
    expect(await verifyInclusion(leaf.slice(2), 0, 1, [], leaf)).toBe(false);
    expect(await verifyInclusion(leaf, -1, 1, [], leaf)).toBe(false);
  });

  it('hashes leaves like the server (0x00 prefix)', async () => {
    const data = new TextEncoder().encode('order 42 filled');
    expect(toHex(await leafHash(data))).toBe(hex(server.leafHash(data)));
  });
});

describe('verifyConsistency (RFC 9162 §2.1.4.2)', () => {
  it('accepts every consistency proof the server builds and refuses a flipped bit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 70 })
          .chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n), fc.nat(64))),
        async ([m, n, pick]) => {
          const leaves = leavesOf(n);
          const root1 = hex(server.rootFromLeafHashes(leaves.slice(0, m)));
          const root2 = hex(server.rootFromLeafHashes(leaves));
          const proof = server.consistencyProof(leaves, m).map(hex);
          expect(await verifyConsistency(m, n, proof, root1, root2)).toBe(true);
          expect(await verifyConsistency(m, n, proof, flipBit(root1), root2)).toBe(false);
          expect(await verifyConsistency(m, n, proof, root1, flipBit(root2))).toBe(false);
          if (proof.length > 0) {
            const k = pick % proof.length;
            const tampered = proof.map((p, i) => (i === k ? flipBit(p) : p));
            expect(await verifyConsistency(m, n, tampered, root1, root2)).toBe(false);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a proof from the empty tree and sizes out of order', async () => {
    const root = hex(server.rootFromLeafHashes(leavesOf(3)));
    const empty = hex(server.emptyRoot());
    expect(await verifyConsistency(0, 3, [root], empty, root)).toBe(false);
    expect(await verifyConsistency(3, 2, [], root, root)).toBe(false);
    expect(await verifyConsistency(3, 3, [], root, root)).toBe(true);
    expect(await verifyConsistency(3, 3, [root], root, root)).toBe(false);
  });
});

describe('leaf data', () => {
  it('splits one item per line and drops only a final empty line', () => {
    expect(itemsOf('a\r\nb\n\nc\n')).toEqual(['a', 'b', '', 'c']);
    expect(itemsOf('')).toEqual(['']);
  });

  it('decodes hex and base64 by the server rules', () => {
    expect(toHex(decodeItem('00ff', 'hex') ?? new Uint8Array([1]))).toBe('00ff');
    expect(decodeItem('0f0', 'hex')).toBeUndefined();
    expect(toHex(decodeItem('AP8=', 'base64') ?? new Uint8Array([1]))).toBe('00ff');
    expect(decodeItem('AP9=', 'base64')).toBeUndefined(); // non-zero padding bits
    expect(decodeItem('AP8', 'base64')).toBeUndefined();
    expect(itemsProblem(['00', 'xyz'], 'hex')).toBe('line 2 is not hex (pairs of 0-9, a-f)');
    expect(fromHex('0g')).toBeUndefined();
  });
});
