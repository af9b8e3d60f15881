import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecurityEvents } from '../defense/security-events.ts';
import { AuditRepo } from '../store/audit.repo.ts';
import { openStore, type Store } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { SecurityEventsRepo } from '../store/security-events.repo.ts';
import {
  checkIntegrity,
  OFFLINE_PACE,
  SERVER_PACE,
  type IntegrityReport,
  type Pace,
} from './integrity.ts';
import { AuditLog } from './log.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
/** Yields at every chance: the slicing at its finest, on pages that end mid-tile. */
const FINEST: Pace = { pageRows: 7, sliceMs: 0 };
const PACES = [OFFLINE_PACE, SERVER_PACE, FINEST];
const EVENTS = 150;

describe('the integrity check, at every pace', () => {
  let store: Store;
  let repo: AuditRepo;
  let size = 0;

  beforeAll(async () => {
    store = await openStore('sqlite::memory:');
    await migrateToLatest(store);
    repo = new AuditRepo(store.db);
    let clock = 1_795_000_000_000;
    const audit = await AuditLog.open({
      repo,
      key,
      now: () => clock,
      headIntervalMs: 60_000,
      headEveryLeaves: 1_000_000,
    });
    const events = new SecurityEvents(new SecurityEventsRepo(store.db), audit, () => clock);
    for (let i = 0; i < EVENTS; i += 1) {
      clock += 1000;
      await events.record({
        type: 'authn_login_fail',
        severity: 'LOW',
        description: `failed login ${i}`,
        ip: `203.0.113.${i % 250}`,
      });
      await audit.recordAction({ action: 'test', actor: 1, target: `t${i}`, details: { i } });
      if (i % 40 === 39) await audit.signHead();
    }
    await audit.close();
    size = audit.size;
    // The attacker with the database file: the append-only triggers are no obstacle to them.
    await sql`drop trigger audit_log_no_update`.execute(store.db);
  });
  afterAll(async () => {
    await store.close();
  });

  const checkAll = (): Promise<IntegrityReport[]> =>
    Promise.all(PACES.map((pace) => checkIntegrity(repo, key.publicKey, pace)));

  it('finds a valid log valid, with the same root and heads whatever the pace', async () => {
    const reports = await checkAll();
    for (const report of reports) {
      expect(report.ok).toBe(true);
      expect(report.failure).toBeUndefined();
      expect(report.treeSize).toBe(size);
      expect(report.headsChecked).toBe(reports[0]?.headsChecked);
      expect(report.rootHash.equals(reports[0]?.rootHash ?? Buffer.alloc(0))).toBe(true);
    }
    expect(reports[0]?.headsChecked).toBeGreaterThanOrEqual(4);
  });

  it('names a tampered leaf by its index, the same at every pace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 * EVENTS - 1 }), async (seq) => {
        const leaf = await repo.leaf(seq);
        if (leaf === undefined) throw new Error(`no leaf ${seq}`);
        const tampered = leaf.payload.replace('"at":', '"at":1');
        await store.db
          .updateTable('audit_log')
          .set({ payload: tampered })
          .where('seq', '=', seq)
          .execute();
        try {
          for (const report of await checkAll()) {
            expect(report.ok).toBe(false);
            expect(report.failure).toMatchObject({
              index: seq,
              reason: 'the leaf payload does not hash to its stored leaf hash',
            });
          }
        } finally {
          await store.db
            .updateTable('audit_log')
            .set({ payload: leaf.payload })
            .where('seq', '=', seq)
            .execute();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('names an edited row by its record, the same at every pace', async () => {
    const id = 77;
    await store.db
      .updateTable('security_events')
      .set({ description: 'nothing happened' })
      .where('id', '=', id)
      .execute();
    const reports = await checkAll();
    for (const report of reports) {
      expect(report.ok).toBe(false);
      expect(report.failure).toMatchObject({
        record: `security event ${id}`,
        index: reports[0]?.failure?.index,
      });
    }
    await store.db
      .updateTable('security_events')
      .set({ description: `failed login ${id - 1}` })
      .where('id', '=', id)
      .execute();
    expect((await checkAll()).map((r) => r.ok)).toEqual([true, true, true]);
  });

  it('lets the event loop turn while it runs in slices, and holds it unsliced', async () => {
    const turnsDuring = async (pace: Pace): Promise<number> => {
      let turns = 0;
      let running = true;
      const tick = (): void => {
        if (!running) return;
        turns += 1;
        setImmediate(tick);
      };
      setImmediate(tick);
      await checkIntegrity(repo, key.publicKey, pace);
      running = false;
      return turns;
    };
    expect(await turnsDuring(FINEST)).toBeGreaterThan(2 * EVENTS);
    // better-sqlite3 answers synchronously: without slices the loop never turns.
    expect(await turnsDuring(OFFLINE_PACE)).toBe(0);
  });
});
