import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeFactories, type TestStore } from '../../test/support/stores.ts';
import { checkIntegrity } from '../audit/integrity.ts';
import { AuditLog } from '../audit/log.ts';
import { AuditRepo } from '../store/audit.repo.ts';
import { SecurityEventsRepo } from '../store/security-events.repo.ts';
import { SecurityEvents, type RecordedSecurityEvent } from './security-events.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe.each(storeFactories())(
  'security events seen by a node that does not lead, on $name',
  (factory) => {
    let test: TestStore;
    beforeEach(async () => {
      test = await factory.open();
    });
    afterEach(() => test.dispose());

    it('wait in the inbox until the leader stores them, in order, with their audit leaves', async () => {
      let clock = 1_795_000_000_000;
      const repo = new SecurityEventsRepo(test.store.db);
      const audit = await AuditLog.open({
        repo: new AuditRepo(test.store.db),
        key,
        now: () => clock,
        headIntervalMs: 60_000,
        headEveryLeaves: 1_000_000,
      });
      const leader = new SecurityEvents(repo, audit, () => clock);
      // The other node's log is never written: it queues instead.
      const standbyAudit = await AuditLog.open({
        repo: new AuditRepo(test.store.db),
        key,
        now: () => clock,
        headIntervalMs: 60_000,
        headEveryLeaves: 1_000_000,
      });
      const standby = new SecurityEvents(
        repo,
        standbyAudit,
        () => clock,
        undefined,
        () => false,
      );
      const passedOn: RecordedSecurityEvent[] = [];
      leader.subscribe((e) => passedOn.push(e));
      for (const i of [1, 2, 3]) {
        clock += 1000;
        await standby.record({
          type: 'authn_login_fail',
          severity: 'LOW',
          description: `failed login ${i}`,
          ip: '203.0.113.7',
        });
      }
      expect(await repo.page({ limit: 10 })).toEqual([]);
      expect(standbyAudit.size).toBe(0);

      expect(await leader.storeQueued()).toBe(3);
      expect(await leader.storeQueued()).toBe(0);
      const stored = await repo.page({ limit: 10 });
      expect(stored.map((e) => e.description).reverse()).toEqual([
        'failed login 1',
        'failed login 2',
        'failed login 3',
      ]);
      // Each keeps the time it happened, not the time the leader stored it.
      expect(stored.map((e) => e.created_at).reverse()).toEqual([
        1_795_000_001_000, 1_795_000_002_000, 1_795_000_003_000,
      ]);
      expect(passedOn.map((e) => e.id)).toEqual(stored.map((e) => e.id).reverse());
      expect(audit.size).toBe(3);
      await audit.signHead();
      const report = await checkIntegrity(new AuditRepo(test.store.db), key.publicKey);
      expect(report.ok).toBe(true);
      await audit.close();
    });
  },
);
