// All SQL about the audit log: appending leaves inside the caller's transaction, reading them
// back by range, the signed tree heads, and the source rows the integrity check compares with.

import type SQLite from 'better-sqlite3';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AuditKind, AuditLeaf, AuditRows } from '../audit/leaf.ts';
import type { SignedTreeHead } from '../audit/tree-head.ts';
import { UNFENCED, fencedWrite, type WriteFence } from './fence.ts';
import type { Database, TreeHeadsTable } from './schema.ts';

export interface StoredLeaf {
  seq: number;
  kind: string;
  payload: string;
  leaf_hash: string;
  created_at: number;
}

export interface StoredTreeHead extends SignedTreeHead {
  /** PROOF(previous head's size, treeSize); empty for the first head. */
  readonly consistencyProof: Buffer[];
}

function leafRow(leaf: AuditLeaf): StoredLeaf {
  return {
    seq: leaf.seq,
    kind: leaf.kind,
    payload: leaf.payload,
    leaf_hash: leaf.leafHash.toString('hex'),
    created_at: leaf.createdAt,
  };
}

function headOf(row: Selectable<TreeHeadsTable>): StoredTreeHead {
  const proof = row.consistency_proof;
  return {
    treeSize: row.tree_size,
    rootHash: Buffer.from(row.root_hash, 'base64'),
    timestamp: row.timestamp,
    keyId: row.key_id,
    signature: row.signature,
    consistencyProof:
      proof === null || proof === '' ? [] : proof.split(',').map((h) => Buffer.from(h, 'base64')),
  };
}

/** Rows per statement: five bound values each, well under SQLite's 32,766. */
const CHUNK = 1000;

/** For the SQLite journal: prepared inserts to run inside its synchronous transaction. */
export function sqliteAuditWriter(native: SQLite.Database): (rows: AuditRows) => void {
  const insertLeaf = native.prepare(
    'insert into audit_log (seq, kind, payload, leaf_hash, created_at) values (?, ?, ?, ?, ?)',
  );
  const insertTile = native.prepare('insert into audit_tiles (tile, hash) values (?, ?)');
  return ({ leaves, tiles }) => {
    for (const leaf of leaves) {
      const hash = leaf.leafHash.toString('hex');
      insertLeaf.run(leaf.seq, leaf.kind, leaf.payload, hash, leaf.createdAt);
    }
    for (const t of tiles) insertTile.run(t.tile, t.hash.toString('hex'));
  };
}

export async function insertAuditRows(
  tx: Kysely<Database> | Transaction<Database>,
  { leaves, tiles }: AuditRows,
): Promise<void> {
  for (let i = 0; i < leaves.length; i += CHUNK) {
    await tx
      .insertInto('audit_log')
      .values(leaves.slice(i, i + CHUNK).map(leafRow))
      .execute();
  }
  for (let i = 0; i < tiles.length; i += CHUNK) {
    await tx
      .insertInto('audit_tiles')
      .values(
        tiles.slice(i, i + CHUNK).map((t) => ({ tile: t.tile, hash: t.hash.toString('hex') })),
      )
      .execute();
  }
}

export class AuditRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly fence: WriteFence = UNFENCED,
  ) {}

  /** Leaves recording a change that has no row of its own (an administrator's action). */
  async append(rows: AuditRows): Promise<void> {
    await fencedWrite(this.db, this.fence, (db) => insertAuditRows(db, rows));
  }

  /** Every stored tile root, in tile order. */
  async tiles(): Promise<{ tile: number; hash: Buffer }[]> {
    const rows = await this.db.selectFrom('audit_tiles').selectAll().orderBy('tile').execute();
    return rows.map((r) => ({ tile: r.tile, hash: Buffer.from(r.hash, 'hex') }));
  }

  /** Leaves from `start` on, a page at a time. */
  async *scan(pageSize: number, start = 0): AsyncGenerator<StoredLeaf[]> {
    let from = start;
    for (;;) {
      const page = await this.db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>=', from)
        .orderBy('seq')
        .limit(pageSize)
        .execute();
      if (page.length === 0) return;
      yield page;
      from = (page[page.length - 1] as StoredLeaf).seq + 1;
    }
  }

  async leafHashes(start: number, end: number): Promise<{ seq: number; hash: Buffer }[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .select(['seq', 'leaf_hash'])
      .where('seq', '>=', start)
      .where('seq', '<', end)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ seq: r.seq, hash: Buffer.from(r.leaf_hash, 'hex') }));
  }

  async leaf(seq: number): Promise<StoredLeaf | undefined> {
    return this.db.selectFrom('audit_log').selectAll().where('seq', '=', seq).executeTakeFirst();
  }

  async insertHead(head: SignedTreeHead, consistencyProof: readonly Buffer[]): Promise<void> {
    await fencedWrite(this.db, this.fence, (db) =>
      db
        .insertInto('tree_heads')
        .values({
          tree_size: head.treeSize,
          root_hash: head.rootHash.toString('base64'),
          timestamp: head.timestamp,
          key_id: head.keyId,
          signature: head.signature,
          consistency_proof:
            consistencyProof.length === 0
              ? null
              : consistencyProof.map((h) => h.toString('base64')).join(','),
        })
        .onConflict((oc) => oc.column('tree_size').doNothing())
        .execute(),
    );
  }

  async latestHead(): Promise<StoredTreeHead | undefined> {
    const row = await this.db
      .selectFrom('tree_heads')
      .selectAll()
      .orderBy('tree_size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : headOf(row);
  }

  /** Newest first; `beforeSize` pages back. */
  async heads(limit: number, beforeSize?: number): Promise<StoredTreeHead[]> {
    let query = this.db.selectFrom('tree_heads').selectAll();
    if (beforeSize !== undefined) query = query.where('tree_size', '<', beforeSize);
    const rows = await query.orderBy('tree_size', 'desc').limit(limit).execute();
    return rows.map(headOf);
  }

  /** Every signed head, oldest first. */
  async allHeads(): Promise<StoredTreeHead[]> {
    const rows = await this.db.selectFrom('tree_heads').selectAll().orderBy('tree_size').execute();
    return rows.map(headOf);
  }

  // --- the rows leaves vouch for, for the integrity check --------------------------------

  async trades(ids: readonly number[]) {
    if (ids.length === 0) return [];
    return this.db.selectFrom('trades').selectAll().where('id', 'in', ids).execute();
  }

  async orders(ids: readonly number[]) {
    if (ids.length === 0) return [];
    return this.db.selectFrom('orders').selectAll().where('id', 'in', ids).execute();
  }

  async ledgerEntries(txIds: readonly number[]) {
    if (txIds.length === 0) return [];
    return this.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('tx_id', 'in', txIds)
      .orderBy('id')
      .execute();
  }

  async securityEvents(ids: readonly number[]) {
    if (ids.length === 0) return [];
    return this.db.selectFrom('security_events').selectAll().where('id', 'in', ids).execute();
  }

  /** Ids of rows of `kind` in [after, after + limit), ascending: to find rows no leaf covers. */
  async sourceIds(
    kind: Exclude<AuditKind, 'admin_action'>,
    after: number,
    limit: number,
  ): Promise<number[]> {
    const table = {
      order: 'orders',
      trade: 'trades',
      ledger_tx: 'ledger_entries',
      security_event: 'security_events',
    } as const;
    const column = kind === 'ledger_tx' ? 'tx_id' : 'id';
    const rows = await this.db
      .selectFrom(table[kind])
      .select(`${column} as id` as 'id')
      .distinct()
      .where(column, '>', after)
      .orderBy(column)
      .limit(limit)
      .execute();
    return rows.map((r) => Number(r.id));
  }
}
