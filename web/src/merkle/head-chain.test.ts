// The browser's head chain check against heads the server's own code signs and links.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as server from '../../../src/audit/merkle.ts';
import { checkpointNote, keyIdOf, signTreeHead } from '../../../src/audit/tree-head.ts';
import { checkHeadChain, type ChainedHead } from './head-chain.ts';
import { flipBit } from './verify.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Heads at the given sizes of one log, newest first, each with its proof from the one before. */
function chain(sizes: number[]): ChainedHead[] {
  const leaves = Array.from({ length: Math.max(...sizes) }, (_, i) =>
    server.leafHash(Buffer.from(`leaf ${i}`)),
  );
  const heads = sizes.map((size, i) => {
    const head = signTreeHead(
      {
        treeSize: size,
        rootHash: server.rootFromLeafHashes(leaves.slice(0, size)),
        timestamp: 1_790_000_000_000 + i,
      },
      key,
    );
    const before = sizes[i - 1];
    return {
      tree_size: size,
      root_hash: hex(head.rootHash),
      timestamp: head.timestamp,
      key_id: keyIdOf(key.publicKey),
      signature: head.signature,
      checkpoint: checkpointNote(head),
      public_key: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      consistency_proof:
        before === undefined ? [] : server.consistencyProof(leaves.slice(0, size), before).map(hex),
    };
  });
  return heads.reverse();
}

describe('checkHeadChain', () => {
  it('accepts consecutive heads of one growing log', async () => {
    expect(await checkHeadChain(chain([1, 3, 4, 8, 13, 40]))).toEqual({
      heads: 6,
      problem: undefined,
    });
  });

  it('names the head whose proof does not join the one before', async () => {
    const heads = chain([2, 5, 9, 17]);
    const middle = heads[1];
    if (middle === undefined) throw new Error('four heads');
    middle.consistency_proof = middle.consistency_proof.map((p, i) => (i === 0 ? flipBit(p) : p));
    expect((await checkHeadChain(heads)).problem).toBe('head of size 9 is not consistent with 5');
  });

  it('names a head whose signature does not verify', async () => {
    const heads = chain([2, 5]);
    const newest = heads[0];
    if (newest === undefined) throw new Error('two heads');
    newest.root_hash = flipBit(newest.root_hash);
    expect((await checkHeadChain(heads)).problem).toBe('head of size 5: bad signature');
  });
});
