import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresTestUrl } from '../../test/support/stores.ts';
import { openStore, type OpenOptions } from './db.ts';
import { WriterLockHeld } from './writer-lock.ts';

interface Target {
  name: string;
  url: () => string;
  options: OpenOptions;
  cleanup: () => Promise<void>;
}

function sqliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'sse-lock-'));
  return {
    name: 'sqlite',
    url: () => `sqlite:${join(dir, 'exchange.db')}`,
    options: {},
    cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

function postgresTarget(url: string): Target {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  return {
    name: 'postgres',
    url: () => url,
    options: { schema, poolSize: 2 },
    cleanup: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

const pgUrl = postgresTestUrl();
const targets: (() => Target)[] = [
  sqliteTarget,
  ...(pgUrl === undefined ? [] : [() => postgresTarget(pgUrl)]),
];

describe.each(targets.map((make) => ({ make, name: make().name })))(
  'the writer lock on $name',
  ({ make }) => {
    let target: Target;
    beforeEach(() => {
      target = make();
    });
    afterEach(() => target.cleanup());

    it('admits one writer at a time, and readers beside it', async () => {
      const first = await openStore(target.url(), { ...target.options, writer: true });
      const refusal = openStore(target.url(), { ...target.options, writer: true });
      await expect(refusal).rejects.toBeInstanceOf(WriterLockHeld);
      // The refusal names the holder, so the operator knows which process to look at.
      await expect(refusal).rejects.toThrow(
        new RegExp(`\\(exchange, pid ${process.pid} on ${hostname()}, since \\d{4}-`),
      );
      const reader = await openStore(target.url(), target.options);
      expect(await reader.ping()).toBe(true);
      await reader.close();
      await first.close();
      const second = await openStore(target.url(), { ...target.options, writer: true });
      expect(await second.ping()).toBe(true);
      await second.close();
    });
  },
);

describe.runIf(pgUrl !== undefined)('the writer lock on postgres, when its connection ends', () => {
  let target: Target;
  beforeEach(() => {
    target = postgresTarget(pgUrl ?? '');
  });
  afterEach(() => target.cleanup());

  it('says it was lost, and a second writer may then take it', async () => {
    const first = await openStore(target.url(), { ...target.options, writer: true });
    const admin = new pg.Client({ connectionString: target.url() });
    await admin.connect();
    try {
      // The session holding this schema's advisory lock, ended as a restart or a network cut would.
      const { rows } = await admin.query<{ ended: boolean }>(
        "select pg_terminate_backend(pid) as ended from pg_locks where locktype = 'advisory' and granted and pid <> pg_backend_pid() and objid = (hashtext('secure-stock-exchange writer ' || $1::text))::oid",
        [target.options.schema],
      );
      expect(rows.map((r) => r.ended)).toEqual([true]);
    } finally {
      await admin.end();
    }
    const lost = await first.writerLost;
    expect(lost?.message).toMatch(/writer lock on schema t_\w+ was lost/);
    const second = await openStore(target.url(), { ...target.options, writer: true });
    await second.close();
    await first.close();
  });

  it('is not lost when released', async () => {
    const store = await openStore(target.url(), { ...target.options, writer: true });
    const outcome = Promise.race([
      store.writerLost?.then(() => 'lost'),
      new Promise((resolve) => setTimeout(() => resolve('kept'), 200)),
    ]);
    await store.close();
    expect(await outcome).toBe('kept');
  });
});
