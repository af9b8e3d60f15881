// loadAuditWindow against a fake API answering like the server (src/audit/merkle.ts) for logs up
// to 100k leaves: a few small calls per window whatever the size, every drawn hash equal to the
// server's, and a wrong hash from the API caught as a window that does not reach the root.
import { describe, expect, it } from 'vitest';
import * as server from '../../../src/audit/merkle.ts';
import { loadAuditWindow, type Get } from './audit-window.ts';
import { windowTree, type DrawNode } from './tree-shape.ts';
import { flipBit } from './verify.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function fakeLog(size: number, corrupt = false) {
  const leaves = Array.from({ length: size }, (_, i) => server.leafHash(Buffer.from(`e${i}`)));
  const levels = server.treeLevels(leaves);
  const calls: string[] = [];
  const get = (<T>(path: string): Promise<T> => {
    calls.push(path);
    const url = new URL(path, 'http://x');
    const q = (name: string) => Number(url.searchParams.get(name));
    if (url.pathname === '/api/crypto/merkle/structure') {
      const level = q('level');
      const nodes = (levels[level] ?? []).slice(q('start'), q('start') + q('count'));
      const reply = {
        level,
        nodes: nodes.map((n, i) => ({
          index: q('start') + i,
          hash: hex(n.hash),
          start: n.start,
          end: n.end,
        })),
      };
      return Promise.resolve(reply as T);
    }
    const index = Number(url.pathname.split('/').at(-1));
    const proof = server.inclusionProof(leaves, index).map(hex);
    if (corrupt && proof.length > 0) proof[proof.length - 1] = flipBit(proof.at(-1) ?? '');
    return Promise.resolve({ proof } as T);
  }) as Get;
  return { root: hex(server.rootFromLeafHashes(leaves)), levels, get, calls };
}

function walk(node: DrawNode, visit: (n: DrawNode) => void): void {
  visit(node);
  for (const child of node.children) walk(child, visit);
}

describe('loadAuditWindow', () => {
  for (const size of [1, 2, 31, 32, 33, 100, 100_003]) {
    it(`draws windows of a log of ${size} leaves from a few small calls`, async () => {
      const log = fakeLog(size);
      for (const start of [0, Math.floor(size / 64) * 32, Math.floor((size - 1) / 32) * 32]) {
        log.calls.length = 0;
        const window = { start, span: 32 };
        const loaded = await loadAuditWindow(size, log.root, window, log.get);
        expect(loaded.rootMatches).toBe(true);
        expect(log.calls.length).toBeLessThanOrEqual(7);
        for (const call of log.calls) {
          const count = new URL(call, 'http://x').searchParams.get('count');
          if (count !== null) expect(Number(count)).toBeLessThanOrEqual(32);
        }
        const tree = windowTree(size, window, (l, i) => loaded.nodes.get(`${l}:${i}`));
        walk(tree, (n) =>
          expect(n.hash).toBe(hex(log.levels[n.level]?.[n.index]?.hash ?? new Uint8Array())),
        );
      }
    });
  }

  it('says so when the path above the window does not hash up to the root', async () => {
    const log = fakeLog(1000, true);
    const loaded = await loadAuditWindow(1000, log.root, { start: 64, span: 32 }, log.get);
    expect(loaded.rootMatches).toBe(false);
  });
});
