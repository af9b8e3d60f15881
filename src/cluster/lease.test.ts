import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresTestUrl, storeFactories, type TestStore } from '../../test/support/stores.ts';
import { sealLeaves } from '../audit/leaf.ts';
import { adminActionEntry } from '../audit/records.ts';
import { AuditRepo } from '../store/audit.repo.ts';
import { openStore } from '../store/db.ts';
import { EpochFence, FencedError } from '../store/fence.ts';
import { LeaseRepo } from '../store/lease.repo.ts';
import { ClusterLease } from './lease.ts';

const postgres = storeFactories().find((f) => f.name === 'postgres');
const TTL = 600;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An audit leaf written through `fence`, as the sequencer writes every change. */
function appendLeaf(repo: AuditRepo, seq: number): Promise<void> {
  const entry = adminActionEntry(
    { actor: 1, action: 'test', target: 'lease', details: { seq } },
    seq,
  );
  return repo.append({ leaves: sealLeaves(seq, [entry]), tiles: [] });
}

async function leaves(test: TestStore): Promise<number[]> {
  const rows = await test.store.db.selectFrom('audit_log').select('seq').orderBy('seq').execute();
  return rows.map((r) => r.seq);
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

describe.runIf(postgresTestUrl() !== undefined)('the sequencer lease and its fence', () => {
  let test: TestStore;
  let repo: LeaseRepo;
  beforeEach(async () => {
    test = await (postgres as NonNullable<typeof postgres>).open();
    repo = new LeaseRepo(test.store.db);
  });
  afterEach(() => test.dispose());

  it('is taken by one node at a time, each time under a higher epoch', async () => {
    expect(await repo.acquire('a', 'http://a', TTL)).toBe(1);
    expect(await repo.acquire('b', 'http://b', TTL)).toBeUndefined();
    await sleep(TTL + 50);
    expect(await repo.acquire('b', 'http://b', TTL)).toBe(2);
    expect(await repo.renew(1, TTL)).toBe('lost');
    expect(await repo.renew(2, TTL)).toBe('renewed');
    const row = await repo.read();
    expect(row).toMatchObject({ epoch: 2, node_id: 'b', address: 'http://b' });
  });

  it('refuses the writes of a leader whose lease another node took, and of a standby', async () => {
    const fenceA = new EpochFence(repo);
    const fenceB = new EpochFence(repo);
    const asA = new AuditRepo(test.store.db, fenceA);
    const asB = new AuditRepo(test.store.db, fenceB);
    await expect(appendLeaf(asB, 0)).rejects.toBeInstanceOf(FencedError);
    fenceA.lead((await repo.acquire('a', 'http://a', TTL)) ?? -1);
    await appendLeaf(asA, 0);
    await sleep(TTL + 50);
    fenceB.lead((await repo.acquire('b', 'http://b', TTL)) ?? -1);
    await expect(appendLeaf(asA, 1)).rejects.toThrow(/fenced: it led under epoch 1, and epoch 2/);
    await appendLeaf(asB, 1);
    expect(await leaves(test)).toEqual([0, 1]);
  });

  it('makes a takeover wait for a write already past its check, so recovery sees it', async () => {
    const fenceA = new EpochFence(repo);
    fenceA.lead((await repo.acquire('a', 'http://a', 200)) ?? -1);
    let takeover: Promise<number | undefined> | undefined;
    await test.store.db.transaction().execute(async (tx) => {
      await fenceA.check(tx);
      await sleep(250); // the lease expires while this write is in flight
      takeover = repo.acquire('b', 'http://b', TTL);
      await sleep(100);
      await tx
        .insertInto('audit_log')
        .values({ seq: 0, kind: 'admin_action', payload: '{}', leaf_hash: '00', created_at: 0 })
        .execute();
    });
    // The takeover waited for the row lock (the write's check holds it until commit).
    expect(await takeover).toBe(2);
    expect(await leaves(test)).toEqual([0]);
  });

  it("ends a paused leader's open transaction, so that the takeover does not hang on it", async () => {
    const paused = await openStore(postgresTestUrl() ?? '', {
      schema: test.store.schema ?? '',
      poolSize: 1,
      idleInTransactionMs: 300,
    });
    try {
      const fenceA = new EpochFence(new LeaseRepo(paused.db));
      fenceA.lead((await repo.acquire('a', 'http://a', 200)) ?? -1);
      // A writes past its check, then stops answering with the transaction open, as if SIGSTOPped.
      const stuck = paused.db.transaction().execute(async (tx) => {
        await fenceA.check(tx);
        await sleep(1500);
        await tx
          .insertInto('audit_log')
          .values({ seq: 0, kind: 'admin_action', payload: '{}', leaf_hash: '00', created_at: 0 })
          .execute();
      });
      const started = Date.now();
      let epoch: number | undefined;
      while (epoch === undefined && Date.now() - started < 5000) {
        epoch = await repo.acquire('b', 'http://b', TTL);
        if (epoch === undefined) await sleep(50);
      }
      expect(epoch).toBe(2);
      expect(Date.now() - started).toBeLessThan(1500);
      await expect(stuck).rejects.toThrow();
      expect(await leaves(test)).toEqual([]);
    } finally {
      await paused.close();
    }
  });

  it('hands over on a clean stop, and a leader that cannot renew steps down by itself', async () => {
    const events: string[] = [];
    const node = (id: string, leaseRepo: LeaseRepo): ClusterLease =>
      new ClusterLease({
        repo: leaseRepo,
        fence: new EpochFence(leaseRepo),
        nodeId: id,
        address: `http://${id}`,
        ttlMs: TTL,
        onLead: (epoch) => {
          events.push(`${id} leads ${epoch}`);
          return Promise.resolve(() => {
            events.push(`${id} steps down`);
            return Promise.resolve();
          });
        },
      });
    const a = node('a', repo);
    const b = node('b', repo);
    await a.start();
    await b.start();
    expect([a.role(), b.role()]).toEqual(['leader', 'standby']);
    expect(b.leader()).toEqual({ nodeId: 'a', address: 'http://a', epoch: 1 });
    await a.stop();
    await until(() => b.role() === 'leader');
    expect(b.epoch()).toBe(2);

    // c's renewals never get through, as for a node cut off from the database.
    let cutOff = false;
    const flaky = Object.create(repo) as LeaseRepo;
    flaky.renew = (epoch, ttl) => (cutOff ? Promise.resolve('busy') : repo.renew(epoch, ttl));
    await b.stop();
    const c = node('c', flaky);
    await c.start();
    expect(c.role()).toBe('leader');
    cutOff = true;
    await until(() => c.role() === 'fenced', TTL * 3);
    expect(c.fencedReason).toMatch(/could not be renewed within its 600 ms TTL/);
    await c.stop();
    expect(events).toEqual([
      'a leads 1',
      'a steps down',
      'b leads 2',
      'b steps down',
      'c leads 3',
      'c steps down',
    ]);
  });
});
