// The audit log end to end, on every configured database: what trading, defense and admin actions
// append; signed tree heads, inclusion and consistency proofs through the API; the integrity
// check naming tampered rows; the database refusing edits of the log; recovery refusing to trade
// on a log that no longer matches its signed head.

import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, verify } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointBody, verifyTreeHead } from '../src/audit/tree-head.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../src/audit/merkle.ts';
import { PASSWORD, call, signUp } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

for (const factory of storeFactories()) {
  describe(`audit log on ${factory.name}`, () => {
    const open: TestApp[] = [];
    afterEach(async () => {
      for (const t of open.splice(0)) await t.close();
    });

    async function start(): Promise<TestApp> {
      const t = await openTestApp(factory);
      open.push(t);
      return t;
    }

    /** alice sells 3 TCS to bob: orders, a trade and ledger transactions in the log. */
    async function trade(t: TestApp) {
      const alice = await signUp(t, 'alice');
      const bob = await signUp(t, 'bob');
      const shares = await t.exchange.venue.exchange.adjust(alice.id, 'TCS', 10, 'test shares');
      expect(shares.ok).toBe(true);
      const sell = await call(t, 'POST', '/api/trading/order', {
        token: alice.token,
        body: {
          symbol: 'TCS',
          order_type: 'SELL',
          order_mode: 'LIMIT',
          quantity: 3,
          price: '3500.00',
        },
      });
      expect(sell.status).toBe(201);
      const buy = await call(t, 'POST', '/api/trading/order', {
        token: bob.token,
        body: {
          symbol: 'TCS',
          order_type: 'BUY',
          order_mode: 'LIMIT',
          quantity: 3,
          price: '3500.00',
        },
      });
      expect(buy.status).toBe(201);
      const trades = await t.store.db.selectFrom('trades').selectAll().execute();
      expect(trades).toHaveLength(1);
      return { alice, bob, tradeId: (trades[0] as { id: number }).id };
    }

    async function integrity(t: TestApp, token: string) {
      const res = await call(t, 'GET', '/api/crypto/merkle/integrity', { token });
      expect(res.status).toBe(200);
      return res.body as {
        ok: boolean;
        tree_size: number;
        failure: {
          index: number | null;
          kind: string | null;
          record: string | null;
          reason: string;
        } | null;
      };
    }

    async function kinds(t: TestApp): Promise<string[]> {
      const rows = await t.store.db.selectFrom('audit_log').select('kind').orderBy('seq').execute();
      return rows.map((r) => r.kind);
    }

    it('appends orders, the trade, ledger transactions, security events and admin actions', async () => {
      const t = await start();
      const { alice } = await trade(t);
      const failed = await call(t, 'POST', '/api/auth/login', {
        body: {
          username: 'alice',
          password: 'not the password',
        },
      });
      expect(failed.status).toBe(401);
      const admin = await signUp(t, 'root', { admin: true });
      const halt = await call(t, 'POST', '/api/admin/symbols/INFY/halt', { token: admin.token });
      expect(halt.status).toBe(200);

      const logged = await kinds(t);
      for (const kind of ['order', 'trade', 'ledger_tx', 'security_event', 'admin_action']) {
        expect(logged).toContain(kind);
      }
      const rows = await t.store.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      const tradeLeaf = rows.find((r) => r.kind === 'trade');
      expect(JSON.parse(tradeLeaf?.payload ?? '{}')).toMatchObject({
        kind: 'trade',
        data: { symbol: 'TCS', quantity: 3, price: 350_000, seller_id: alice.id },
      });
      const adminLeaf = rows.find((r) => r.kind === 'admin_action');
      expect(JSON.parse(adminLeaf?.payload ?? '{}')).toMatchObject({
        data: { actor: admin.id, action: 'halt', target: 'INFY' },
      });
      // Each leaf hash is RFC 6962's over the stored payload, and seqs run 0, 1, 2…
      rows.forEach((row, i) => {
        expect(row.seq).toBe(i);
        expect(row.leaf_hash).toBe(leafHash(Buffer.from(row.payload, 'utf8')).toString('hex'));
      });
      expect((await integrity(t, admin.token)).ok).toBe(true);
    });

    it('serves signed tree heads that verify with only the public key, and proofs against them', async () => {
      const t = await start();
      const { alice, bob } = await trade(t);
      const headRes = await call(t, 'GET', '/api/audit/tree-head');
      expect(headRes.status).toBe(200);
      const head = headRes.body as {
        tree_size: number;
        root_hash: string;
        timestamp: number;
        signature: string;
        public_key: string;
        checkpoint: string;
      };
      const body = checkpointBody({
        treeSize: head.tree_size,
        rootHash: Buffer.from(head.root_hash, 'hex'),
        timestamp: head.timestamp,
      });
      expect(head.checkpoint.startsWith(body)).toBe(true);
      expect(
        verify('sha256', Buffer.from(body), head.public_key, Buffer.from(head.signature, 'base64')),
      ).toBe(true);

      const rows = await t.store.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      const tradeLeaf = rows.find((r) => r.kind === 'trade');
      if (tradeLeaf === undefined) throw new Error('no trade leaf');
      const leaf = await call(t, 'GET', `/api/audit/leaf/${tradeLeaf.seq}`, { token: bob.token });
      expect(leaf.status).toBe(200);
      expect(leaf.body.leaf_hash).toBe(tradeLeaf.leaf_hash);
      const proof = (leaf.body.proof as string[]).map((h) => Buffer.from(h, 'hex'));
      const size = leaf.body.tree_size as number;
      const root = Buffer.from(leaf.body.root_hash as string, 'hex');
      expect(
        verifyInclusion(Buffer.from(tradeLeaf.leaf_hash, 'hex'), tradeLeaf.seq, size, proof, root),
      ).toBe(true);
      // A flipped bit anywhere fails.
      const flipped = proof.map((h, i) =>
        i === 0 ? Buffer.from(h.map((b, j) => (j === 0 ? b ^ 1 : b))) : h,
      );
      expect(
        verifyInclusion(
          Buffer.from(tradeLeaf.leaf_hash, 'hex'),
          tradeLeaf.seq,
          size,
          flipped,
          root,
        ),
      ).toBe(false);

      // Someone the leaf is not about sees the hash and proof, not the payload.
      const carol = await signUp(t, 'carol');
      const hidden = await call(t, 'GET', `/api/audit/leaf/${tradeLeaf.seq}`, {
        token: carol.token,
      });
      expect(hidden.body.payload).toBeNull();
      expect(hidden.body.leaf_hash).toBe(tradeLeaf.leaf_hash);

      // The log grew (carol's registration); a new head is consistent with the old one.
      const newer = await t.exchange.audit.signHead();
      expect(newer?.treeSize).toBeGreaterThan(head.tree_size);
      const consistency = await call(t, 'GET', `/api/audit/consistency?first=${head.tree_size}`, {
        token: alice.token,
      });
      expect(consistency.status).toBe(200);
      const c = consistency.body as {
        second: number;
        first_root: string;
        second_root: string;
        proof: string[];
      };
      expect(c.first_root).toBe(head.root_hash);
      expect(
        verifyConsistency(
          head.tree_size,
          c.second,
          c.proof.map((h) => Buffer.from(h, 'hex')),
          Buffer.from(c.first_root, 'hex'),
          Buffer.from(c.second_root, 'hex'),
        ),
      ).toBe(true);
      expect(newer?.consistencyProof.map((h) => h.toString('hex'))).toEqual(c.proof);

      const wrongSize = await call(t, 'GET', `/api/audit/leaf/${rows.length + 100}`, {
        token: alice.token,
      });
      expect(wrongSize.status).toBe(404);
      const badQuery = await call(t, 'GET', '/api/audit/consistency?first=abc', {
        token: alice.token,
      });
      expect(badQuery.status).toBe(400);
    });

    it('shows a trader only their side of a leaf, with a proof of its hash against the signed head', async () => {
      const t = await start();
      const { alice, bob } = await trade(t);
      const admin = await signUp(t, 'root', { admin: true });
      const head = (await t.exchange.audit.signHead()) ?? (await t.exchange.audit.headCovering());
      const rows = await t.store.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      const tradeLeaf = rows.find((r) => r.kind === 'trade');
      // The settlement: bob's cash and shares, alice's, and the exchange's fees.
      const settlement = rows.find(
        (r) => r.kind === 'ledger_tx' && r.payload.includes('"ref":"trade:'),
      );
      if (tradeLeaf === undefined || settlement === undefined) throw new Error('no trade leaves');
      const read = async (seq: number, token: string) => {
        const res = await call(t, 'GET', `/api/audit/leaf/${seq}?tree_size=${head.treeSize}`, {
          token,
        });
        expect(res.status).toBe(200);
        return res.body as {
          leaf_hash: string;
          payload: string | null;
          redacted: boolean;
          tree_size: number;
          proof: string[];
        };
      };
      const dataOf = (payload: string | null) =>
        (JSON.parse(payload ?? 'null') as { data: Record<string, unknown> }).data;
      const stored = dataOf(tradeLeaf.payload);

      const buyer = await read(tradeLeaf.seq, bob.token);
      expect(buyer.redacted).toBe(true);
      expect(dataOf(buyer.payload)).toMatchObject({
        buyer_id: bob.id,
        buy_order_id: stored.buy_order_id,
        symbol: 'TCS',
        quantity: 3,
      });
      for (const hidden of ['seller_id', 'sell_order_id', 'seller_fee']) {
        expect(dataOf(buyer.payload)).not.toHaveProperty(hidden);
      }
      expect(buyer.payload).not.toContain(`"sell_order_id":${String(stored.sell_order_id)}`);
      // The proof is over the leaf hash, and leads to the root the signed head vouches for.
      expect(buyer.leaf_hash).toBe(tradeLeaf.leaf_hash);
      expect(
        verifyInclusion(
          Buffer.from(buyer.leaf_hash, 'hex'),
          tradeLeaf.seq,
          buyer.tree_size,
          buyer.proof.map((h) => Buffer.from(h, 'hex')),
          head.rootHash,
        ),
      ).toBe(true);
      expect(verifyTreeHead(head, t.exchange.audit.publicKey)).toBe(true);

      const seller = await read(tradeLeaf.seq, alice.token);
      expect(dataOf(seller.payload)).toMatchObject({ seller_id: alice.id });
      for (const hidden of ['buyer_id', 'buy_order_id', 'buyer_fee']) {
        expect(dataOf(seller.payload)).not.toHaveProperty(hidden);
      }

      const ledger = await read(settlement.seq, bob.token);
      const all = dataOf(settlement.payload).entries as { user_id: number | null }[];
      const mine = dataOf(ledger.payload).entries as { user_id: number | null }[];
      expect(all.some((e) => e.user_id === alice.id)).toBe(true);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine).toEqual(all.filter((e) => e.user_id === bob.id));
      expect(ledger.redacted).toBe(true);

      for (const leaf of [tradeLeaf, settlement]) {
        const whole = await read(leaf.seq, admin.token);
        expect(whole).toMatchObject({ payload: leaf.payload, redacted: false });
      }
    });

    it('draws the tree level by level: leaves are leaf hashes, the top is the root', async () => {
      const t = await start();
      const { alice } = await trade(t);
      const head = await t.exchange.audit.signHead();
      const size = head?.treeSize ?? 0;
      const leaves = await call(t, 'GET', `/api/crypto/merkle/structure?level=0&count=256`, {
        token: alice.token,
      });
      expect(leaves.status).toBe(200);
      const rows = await t.store.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      expect((leaves.body.nodes as { hash: string }[]).map((n) => n.hash)).toEqual(
        rows.slice(0, size).map((r) => r.leaf_hash),
      );
      const height = leaves.body.height as number;
      const top = await call(t, 'GET', `/api/crypto/merkle/structure?level=${height}`, {
        token: alice.token,
      });
      expect((top.body.nodes as { hash: string }[])[0]?.hash).toBe(top.body.root_hash);
      expect(top.body.root_hash).toBe(head?.rootHash.toString('hex'));
      const tooHigh = await call(t, 'GET', `/api/crypto/merkle/structure?level=${height + 1}`, {
        token: alice.token,
      });
      expect(tooHigh.status).toBe(400);
    });

    it('names an edited trade row, and a deleted one', async () => {
      const t = await start();
      const { tradeId } = await trade(t);
      const admin = await signUp(t, 'root', { admin: true });
      expect((await integrity(t, admin.token)).ok).toBe(true);

      await t.store.db.updateTable('trades').set({ price: 1 }).where('id', '=', tradeId).execute();
      const edited = await integrity(t, admin.token);
      expect(edited.ok).toBe(false);
      expect(edited.failure?.record).toBe(`trade ${tradeId}`);
      expect(edited.failure?.reason).toMatch(/differs/);
      expect(edited.failure?.index).toBeTypeOf('number');

      await t.store.db.deleteFrom('trades').where('id', '=', tradeId).execute();
      const deleted = await integrity(t, admin.token);
      expect(deleted.ok).toBe(false);
      expect(deleted.failure?.record).toBe(`trade ${tradeId}`);
      expect(deleted.failure?.reason).toMatch(/missing/);
    });

    it('names a ledger entry changed behind its back and a row no leaf vouches for', async () => {
      const t = await start();
      await trade(t);
      const admin = await signUp(t, 'root', { admin: true });
      const entry = await t.store.db
        .selectFrom('ledger_entries')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      await t.store.db
        .updateTable('ledger_entries')
        .set({ amount: entry.amount + 100 })
        .where('id', '=', entry.id)
        .execute();
      const report = await integrity(t, admin.token);
      expect(report.failure?.record).toBe(`ledger transaction ${entry.tx_id}`);
      await t.store.db
        .updateTable('ledger_entries')
        .set({ amount: entry.amount })
        .where('id', '=', entry.id)
        .execute();
      expect((await integrity(t, admin.token)).ok).toBe(true);

      await t.store.db
        .insertInto('security_events')
        .values({
          event_type: 'ip_blocked',
          severity: 'LOW',
          description: 'forged',
          created_at: Date.now(),
        })
        .execute();
      const forged = await integrity(t, admin.token);
      expect(forged.ok).toBe(false);
      expect(forged.failure?.reason).toMatch(/security event \d+ has no audit leaf/);
    });

    it('is append-only in the database: UPDATE and DELETE of leaves and heads are refused', async () => {
      const t = await start();
      await trade(t);
      await t.exchange.audit.signHead();
      const { db } = t.store;
      await expect(
        db.updateTable('audit_log').set({ payload: '{}' }).where('seq', '=', 0).execute(),
      ).rejects.toThrow(/append-only/);
      await expect(db.deleteFrom('audit_log').where('seq', '=', 0).execute()).rejects.toThrow(
        /append-only/,
      );
      await expect(db.updateTable('tree_heads').set({ root_hash: 'x' }).execute()).rejects.toThrow(
        /append-only/,
      );
      await expect(db.deleteFrom('tree_heads').execute()).rejects.toThrow(/append-only/);
      if (factory.name === 'postgres') {
        await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
      }
      expect((await db.selectFrom('audit_log').select('seq').execute()).length).toBeGreaterThan(0);
    });

    it('refuses to trade after a restart when leaves were removed past the signed head', async () => {
      const t = await start();
      await trade(t);
      await t.exchange.audit.signHead();
      const admin = await signUp(t, 'root', { admin: true });
      // An attacker with database rights drops the guard and removes the newest leaves.
      const { db } = t.store;
      const size = (await db.selectFrom('audit_log').select('seq').execute()).length;
      await dropAppendOnlyGuard(t);
      await db
        .deleteFrom('audit_log')
        .where('seq', '>=', size - 2)
        .execute();
      const report = await integrity(t, admin.token);
      expect(report.ok).toBe(false);
      expect(report.failure?.reason).toMatch(/no longer has|missing/);

      const restarted = await t.reopen();
      open.splice(open.indexOf(t), 1, restarted);
      const health = await call(restarted, 'GET', '/api/health');
      expect(JSON.stringify(health.body)).toMatch(/audit/);
      expect(restarted.exchange.venue.exchange.stoppedReason).toMatch(
        /audit log has \d+ leaves but its last signed head covers/,
      );
    });

    it('refuses to trade after a restart when a leaf payload was rewritten', async () => {
      const t = await start();
      await trade(t);
      await t.exchange.audit.signHead();
      await dropAppendOnlyGuard(t);
      await t.store.db
        .updateTable('audit_log')
        .set({ payload: '{"kind":"trade","at":0,"data":{}}' })
        .where('kind', '=', 'trade')
        .execute();
      const restarted = await t.reopen();
      open.splice(open.indexOf(t), 1, restarted);
      expect(restarted.exchange.venue.exchange.stoppedReason).toMatch(
        /does not hash to its stored hash/,
      );
    });

    it('restarts from stored tile roots, and a forged tile root is caught at start and by the check', async () => {
      const t = await start();
      const admin = await signUp(t, 'root', { admin: true });
      for (let i = 0; i < 70; i += 1) {
        expect(
          (await t.exchange.venue.exchange.adjust(admin.id, 'INR', 100, `deposit ${i}`)).ok,
        ).toBe(true);
      }
      await t.exchange.audit.signHead();
      const tiles = await t.store.db
        .selectFrom('audit_tiles')
        .selectAll()
        .orderBy('tile')
        .execute();
      expect(tiles.length).toBe(Math.floor(t.exchange.audit.size / 64));
      expect(tiles.length).toBeGreaterThanOrEqual(1);

      // A clean restart rebuilds the same tree from the tiles.
      const root = t.exchange.audit.latestHead?.rootHash.toString('hex');
      let current = await t.reopen();
      open.splice(0, open.length, current);
      expect(current.exchange.venue.exchange.stoppedReason).toBeUndefined();
      expect((await current.exchange.audit.root(current.exchange.audit.size)).toString('hex')).toBe(
        root,
      );

      // A leaf rewritten inside a complete tile: the integrity check finds it.
      await dropAppendOnlyGuard(current);
      const inTile = await current.store.db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '=', 10)
        .executeTakeFirstOrThrow();
      await current.store.db
        .updateTable('audit_log')
        .set({ payload: inTile.payload.replace('"amount":', '"amount":1') })
        .where('seq', '=', 10)
        .execute();
      const token = (
        await call(current, 'POST', '/api/auth/login', {
          body: {
            username: 'root',
            password: PASSWORD,
          },
        })
      ).body.access_token as string;
      const rewritten = await integrity(current, token);
      expect(rewritten.failure?.index).toBe(10);
      expect(rewritten.failure?.reason).toMatch(/does not hash/);

      // A forged tile root: caught at the next start, against the signed head.
      await dropAppendOnlyGuard(current, 'audit_tiles');
      await current.store.db
        .updateTable('audit_tiles')
        .set({ hash: '00'.repeat(32) })
        .where('tile', '=', 0)
        .execute();
      current = await current.reopen();
      open.splice(0, open.length, current);
      expect(current.exchange.venue.exchange.stoppedReason).toMatch(
        /differs from its signed tree head/,
      );
    });

    it('verifies consistency between user-supplied trees and explains a failure', async () => {
      const t = await start();
      const { token } = await signUp(t, 'dave');
      const data = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
      const made = await call(t, 'POST', '/api/crypto/merkle/consistency', {
        token,
        body: {
          data,
          encoding: 'utf8',
          first: 3,
        },
      });
      expect(made.status).toBe(200);
      /** Verifies a proof that tree 3 of `data` is a prefix of tree 7, against the made roots. */
      const verify = (proof: unknown) =>
        call(t, 'POST', '/api/crypto/merkle/consistency/verify', {
          token,
          body: {
            first: 3,
            second: 7,
            first_root: made.body.first_root,
            second_root: made.body.second_root,
            proof,
          },
        });
      const good = await verify(made.body.proof);
      expect(good.body).toEqual({ valid: true });
      const proof = [...(made.body.proof as string[])];
      proof[0] = (proof[0] as string).replace(/^./, (c) => (c === '0' ? '1' : '0'));
      const bad = await verify(proof);
      expect(bad.body).toEqual({ valid: false, reason: 'the proof does not join the two roots' });
      const short = await verify(proof.slice(1));
      expect(short.body.valid).toBe(false);
      expect(short.body.reason).toMatch(/need \d+$/);
      const tooLarge = await call(t, 'POST', '/api/crypto/merkle/consistency', {
        token,
        body: {
          data,
          encoding: 'utf8',
          first: 8,
        },
      });
      expect(tooLarge.status).toBe(400);
    });

    it('signs a head for a new leaf on demand at most once a second', async () => {
      let clock = Date.UTC(2026, 10, 22, 12);
      const t = await openTestApp(factory, {}, { now: () => clock });
      open.push(t);
      const { token } = await signUp(t, 'frank');
      const head = await t.exchange.audit.signHead();
      await signUp(t, 'grace');
      const fresh = t.exchange.audit.size - 1;
      expect(fresh).toBeGreaterThanOrEqual(head?.treeSize ?? 0);
      const early = await call(t, 'GET', `/api/audit/leaf/${fresh}`, { token });
      expect(early.status).toBe(409);
      clock += 1000;
      const later = await call(t, 'GET', `/api/audit/leaf/${fresh}`, { token });
      expect(later.status).toBe(200);
      expect(later.body.tree_size).toBe(fresh + 1);
    });

    it('keeps only integrity checks for administrators', async () => {
      const t = await start();
      const { token } = await signUp(t, 'erin');
      const res = await call(t, 'GET', '/api/crypto/merkle/integrity', { token });
      expect(res.status).toBe(403);
    });
  });
}

describe('npm run audit:verify', () => {
  const sqlite = storeFactories()[0];
  if (sqlite === undefined) throw new Error('no SQLite factory');

  function verifyCopy(db: string, key: string) {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/audit-cli.ts', '--db', db, '--public-key', key],
      { encoding: 'utf8', timeout: 60_000 },
    );
    return { code: run.status, out: run.stdout + run.stderr };
  }

  it('verifies a copy of the database with only the public key, and names a tampered row', async () => {
    const t = await openTestApp(sqlite);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'sse-verify-'));
      await t.exchange.venue.exchange.adjust(1, 'INR', 1000, 'a ledger transaction to audit');
      await t.exchange.audit.signHead();
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.store.db);
      const copy = join(dir, 'copy.db');
      copyFileSync(t.file ?? '', copy);
      const key = join(dir, 'audit.pub');
      writeFileSync(
        key,
        t.exchange.audit.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      );

      const good = verifyCopy(copy, key);
      expect(good.out).toMatch(/result: +OK/);
      expect(good.code).toBe(0);

      const tamper = new Database(copy);
      tamper.prepare('update ledger_entries set amount = amount + 1 where id = 1').run();
      const txId = (
        tamper.prepare('select tx_id from ledger_entries where id = 1').get() as {
          tx_id: number;
        }
      ).tx_id;
      tamper.close();
      const bad = verifyCopy(copy, key);
      expect(bad.code).toBe(1);
      expect(bad.out).toContain(`(ledger transaction ${txId})`);

      const other = join(dir, 'other.pub');
      writeFileSync(
        other,
        generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .publicKey.export({ type: 'spki', format: 'pem' })
          .toString(),
      );
      copyFileSync(t.file ?? '', copy);
      const wrongKey = verifyCopy(copy, other);
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.out).toMatch(/does not verify with the audit public key/);

      const usage = verifyCopy(join(dir, 'missing.db'), key);
      expect(usage.code).toBe(2);
      rmSync(dir, { recursive: true, force: true });
    } finally {
      await t.close();
    }
  });
});

/** What an attacker with owner rights on the database could do. */
async function dropAppendOnlyGuard(t: TestApp, table = 'audit_log'): Promise<void> {
  const { db } = t.store;
  if (t.store.dialect === 'postgres') {
    await sql`alter table ${sql.table(table)} disable trigger user`.execute(db);
  } else {
    await sql`drop trigger ${sql.raw(`${table}_no_delete`)}`.execute(db);
    await sql`drop trigger ${sql.raw(`${table}_no_update`)}`.execute(db);
  }
}
