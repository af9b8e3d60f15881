import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeFactories, type TestStore } from '../../test/support/stores.ts';
import { IpBlocksRepo } from './ip-blocks.repo.ts';
import type { IpBlockRow } from './schema.ts';

const NOW = 1_795_000_000_000;

function row(key: string, until: number, reason = 'scanning'): IpBlockRow {
  return { address_key: key, reason, actor: 'admin user 1', since: NOW - 1000, until };
}

describe.each(storeFactories())('manual IP blocks on $name', (factory) => {
  let t: TestStore;
  let repo: IpBlocksRepo;
  beforeEach(async () => {
    t = await factory.open();
    repo = new IpBlocksRepo(t.store.db);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('stores one block per address, the newest replacing the one before', async () => {
    await repo.save(row('203.0.113.5', NOW + 60_000));
    await repo.save(row('203.0.113.5', NOW + 120_000, 'still scanning'));
    await repo.save(row('2001:db8:1:2::/64', NOW + 60_000));
    expect(await repo.active(NOW)).toEqual([
      row('203.0.113.5', NOW + 120_000, 'still scanning'),
      row('2001:db8:1:2::/64', NOW + 60_000),
    ]);
  });

  it('gives only blocks still in force, and removes the expired ones', async () => {
    await repo.save(row('203.0.113.5', NOW));
    await repo.save(row('203.0.113.6', NOW + 1));
    expect((await repo.active(NOW)).map((r) => r.address_key)).toEqual(['203.0.113.6']);
    expect(await t.store.db.selectFrom('ip_blocks').select('address_key').execute()).toEqual([
      { address_key: '203.0.113.6' },
    ]);
  });

  it('removes one block, or all of them, saying how many there were', async () => {
    await repo.save(row('203.0.113.5', NOW + 60_000));
    await repo.save(row('203.0.113.6', NOW + 60_000));
    await repo.save(row('203.0.113.7', NOW + 60_000));
    expect(await repo.remove('203.0.113.5')).toBe(true);
    expect(await repo.remove('203.0.113.5')).toBe(false);
    expect(await repo.clear()).toBe(2);
    expect(await repo.clear()).toBe(0);
    expect(await repo.active(NOW)).toEqual([]);
  });
});
