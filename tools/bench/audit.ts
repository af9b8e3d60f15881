// Audit log benchmark on a fresh SQLite database: appends --leaves trades (default 1,000,000)
// through the journal's real write path, each with its audit leaf in the same transaction, and
// the same trades without leaves as the baseline; then inclusion proofs per second (built from
// the tiled tree plus at most three tiles read from the database, and verified), the time to
// reopen (tile roots plus the leaves after them, checked against the last signed head) and the
// full integrity check.
// Usage: npm run bench:audit [-- --leaves 1000000]

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkIntegrity } from '../../src/audit/integrity.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { verifyInclusion } from '../../src/audit/merkle.ts';
import { tradingEntries } from '../../src/audit/records.ts';
import { AuditTree } from '../../src/audit/tree.ts';
import { emptyBatch } from '../../src/exchange/journal.ts';
import { initialListings } from '../../src/market/listings.ts';
import { AuditRepo } from '../../src/store/audit.repo.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { SymbolsRepo } from '../../src/store/symbols.repo.ts';
import { TradingRepo, type TradeWrite, type WriteBatch } from '../../src/store/trading.repo.ts';
import { UsersRepo } from '../../src/store/users.repo.ts';

const { values } = parseArgs({
  options: {
    leaves: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    proofs: { type: 'string', default: '20000' },
  },
});
const LEAVES = Number(values.leaves);
const BATCH = Number(values.batch);
const PROOFS = Number(values.proofs);
const NOW = Date.UTC(2026, 10, 22);
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });

interface Fixture {
  store: Store;
  trading: TradingRepo;
  audit: AuditLog;
  repo: AuditRepo;
  batches: (() => WriteBatch)[];
}

/** A database with two users, the listings and two orders the trades can refer to. */
async function fixture(dir: string, name: string): Promise<Fixture> {
  const store = await openStore(`sqlite:${join(dir, name)}`);
  await migrateToLatest(store);
  await new SymbolsRepo(store.db).insertMissing(initialListings(NOW));
  const users = new UsersRepo(store.db);
  const buyer = await users.ensureSystemUser('buyer', NOW);
  const seller = await users.ensureSystemUser('seller', NOW);
  const trading = new TradingRepo(store);
  const orders = emptyBatch();
  for (const [id, userId, side] of [
    [1, buyer, 'BUY'],
    [2, seller, 'SELL'],
  ] as const) {
    orders.orders.push({
      id,
      user_id: userId,
      symbol: 'TCS',
      side,
      mode: 'LIMIT',
      time_in_force: 'GTC',
      price: 350_000,
      quantity: 1_000_000_000,
      status: 'OPEN',
      sequence: id,
      created_at: NOW,
      updated_at: NOW,
    });
  }
  const repo = new AuditRepo(store.db);
  const audit = await AuditLog.open({
    repo,
    key,
    now: Date.now,
    headIntervalMs: 3_600_000,
    headEveryLeaves: Number.MAX_SAFE_INTEGER,
  });
  await audit.record((seal) => trading.write(orders, seal(tradingEntries(orders))));
  const trade = (id: number): TradeWrite => ({
    id,
    symbol: 'TCS',
    price: 350_000 + (id % 200) * 5,
    quantity: 1 + (id % 50),
    buy_order_id: 1,
    sell_order_id: 2,
    buyer_id: buyer,
    seller_id: seller,
    aggressor_side: id % 2 === 0 ? 'BUY' : 'SELL',
    buyer_fee: 10,
    seller_fee: 10,
    sequence: id + 2,
    created_at: NOW + id,
  });
  const batches = Array.from({ length: Math.ceil(LEAVES / BATCH) }, (_, b) => () => {
    const batch = emptyBatch();
    for (let i = b * BATCH; i < Math.min(LEAVES, (b + 1) * BATCH); i += 1) {
      batch.trades.push(trade(i + 1));
    }
    return batch;
  });
  return { store, trading, audit, repo, batches };
}

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-audit-'));
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`audit log benchmark: ${LEAVES.toLocaleString('en-US')} trades, ${BATCH} per transaction`);
  out(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
  try {
    // Baseline: the journal writing the same trades with no audit leaves.
    const base = await fixture(dir, 'baseline.db');
    let started = performance.now();
    for (const make of base.batches) await base.trading.write(make(), { leaves: [], tiles: [] });
    const baseMs = performance.now() - started;
    await base.store.close();
    out(`baseline  trades written without leaves    ${rate(LEAVES, baseMs)}`);

    const f = await fixture(dir, 'audit.db');
    started = performance.now();
    for (const make of f.batches) {
      const batch = make();
      await f.audit.record((seal) => f.trading.write(batch, seal(tradingEntries(batch))));
    }
    const auditMs = performance.now() - started;
    out(
      `audit     trades written with their leaves ${rate(LEAVES, auditMs)} (${((100 * baseMs) / auditMs).toFixed(0)}% of baseline)`,
    );

    const memoryTree = new AuditTree();
    const hashes = (await f.repo.leafHashes(0, Math.min(LEAVES, 200_000))).map((r) => r.hash);
    started = performance.now();
    for (let i = 0; i < LEAVES; i += 1) memoryTree.append(hashes[i % hashes.length] as Buffer);
    out(`tree      in-memory appends (hashing only)  ${rate(LEAVES, performance.now() - started)}`);

    const head = await f.audit.signHead();
    if (head === undefined) throw new Error('no head signed');
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % LEAVES;
    };
    started = performance.now();
    const size = f.audit.size;
    for (let i = 0; i < PROOFS; i += 1) {
      const index = next();
      const proof = await f.audit.inclusionProof(index, size);
      const leaf = (await f.repo.leafHashes(index, index + 1))[0]?.hash;
      if (leaf === undefined || !verifyInclusion(leaf, index, size, proof, head.rootHash)) {
        throw new Error(`proof for leaf ${index} does not verify`);
      }
    }
    out(`proofs    inclusion proofs built+verified   ${rate(PROOFS, performance.now() - started)}`);
    await f.store.close();

    const reopened = await openStore(`sqlite:${join(dir, 'audit.db')}`);
    const repo = new AuditRepo(reopened.db);
    started = performance.now();
    const log = await AuditLog.open({
      repo,
      key,
      now: Date.now,
      headIntervalMs: 3_600_000,
      headEveryLeaves: Number.MAX_SAFE_INTEGER,
    });
    const openMs = performance.now() - started;
    if (log.problems.length > 0) throw new Error(log.problems.join('; '));
    out(`recovery  reopen (tiles, check head)       ${(openMs / 1000).toFixed(2)} s`);

    started = performance.now();
    const report = await checkIntegrity(repo, key.publicKey);
    const checkMs = performance.now() - started;
    if (!report.ok) throw new Error(`integrity failed: ${report.failure?.reason}`);
    out(
      `integrity full check of ${report.treeSize.toLocaleString('en-US')} leaves + rows   ${(checkMs / 1000).toFixed(2)} s (${rate(report.treeSize, checkMs)})`,
    );
    const bytes = statSync(join(dir, 'audit.db')).size + statSync(join(dir, 'audit.db-wal')).size;
    out(`disk      database with leaves             ${(bytes / 1e6).toFixed(0)} MB`);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
