import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditRepo } from '../store/audit.repo.ts';
import { openStore, type Store } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { payloadHash, type AuditEntry } from './leaf.ts';
import { AuditLog } from './log.ts';
import { verifyConsistency } from './merkle.ts';
import { verifyTreeHead } from './tree-head.ts';
import { TILE_LEAVES } from './tree.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const entry = (n: number): AuditEntry => ({
  kind: 'admin_action',
  at: 1_795_000_000_000 + n,
  data: { action: 'test', actor: 1, details: {}, target: `t${n}` },
});

describe('AuditLog', () => {
  let store: Store;
  let repo: AuditRepo;
  let clock = 1_795_000_000_000;

  const open = () =>
    AuditLog.open({
      repo,
      key,
      now: () => clock,
      headIntervalMs: 60_000,
      headEveryLeaves: 1_000_000,
    });

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    await migrateToLatest(store);
    repo = new AuditRepo(store.db);
  });
  afterEach(async () => {
    await store.close();
  });

  it('takes no leaf from a write that fails, and numbers the next write as if it never was', async () => {
    const log = await open();
    await log.record((seal) => repo.append(seal([entry(1)])));
    await expect(
      log.record((seal) => {
        seal([entry(2), entry(3)]);
        return Promise.reject(new Error('the transaction rolled back'));
      }),
    ).rejects.toThrow('rolled back');
    expect(log.size).toBe(1);
    await log.record((seal) => repo.append(seal([entry(4)])));
    const rows = await repo.leafHashes(0, 10);
    expect(rows.map((r) => r.seq)).toEqual([0, 1]);
    expect(log.size).toBe(2);
  });

  it('runs concurrent writers one at a time, in the order they asked', async () => {
    const log = await open();
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        log.record(async (seal) => {
          const rows = seal([entry(n)]);
          await new Promise((r) => setTimeout(r, 5 - n));
          order.push(rows.leaves[0]?.seq ?? -1);
          await repo.append(rows);
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('stores a tile with the leaf that completes it and reopens to the same signed root', async () => {
    const log = await open();
    for (let i = 0; i < TILE_LEAVES + 5; i += 1) {
      await log.record((seal) => repo.append(seal([entry(i)])));
    }
    expect((await repo.tiles()).map((t) => t.tile)).toEqual([0]);
    const first = await log.signHead();
    clock += 1000;
    await log.record((seal) => repo.append(seal([entry(999)])));
    const second = await log.signHead();
    if (first === undefined || second === undefined) throw new Error('no heads signed');
    expect(verifyTreeHead(second, key.publicKey)).toBe(true);
    expect(
      verifyConsistency(
        first.treeSize,
        second.treeSize,
        second.consistencyProof,
        first.rootHash,
        second.rootHash,
      ),
    ).toBe(true);
    // Nothing new: no new head.
    expect(await log.signHead()).toBeUndefined();

    const reopened = await open();
    expect(reopened.problems).toEqual([]);
    expect(reopened.size).toBe(TILE_LEAVES + 6);
    expect((await reopened.root(second.treeSize)).equals(second.rootHash)).toBe(true);
    const leaf = (await repo.leafHashes(3, 4))[0];
    expect(leaf?.hash.equals(payloadHash((await repo.leaf(3))?.payload ?? ''))).toBe(true);
  });
});
