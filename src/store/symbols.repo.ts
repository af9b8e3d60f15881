// All SQL about listed symbols.

import type { AuditRows } from '../audit/leaf.ts';
import { insertAuditRows } from './audit.repo.ts';
import { UNFENCED, type WriteFence } from './fence.ts';
import type { Kysely } from 'kysely';
import type { Database, NewSymbol, SymbolRow, SymbolStatus } from './schema.ts';

export class SymbolsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly fence: WriteFence = UNFENCED,
  ) {}

  /** Lists the symbols that are not there yet; existing rows are left as they are. */
  async insertMissing(symbols: readonly NewSymbol[]): Promise<number> {
    if (symbols.length === 0) return 0;
    const result = await this.db
      .insertInto('symbols')
      .values([...symbols])
      .onConflict((oc) => oc.column('symbol').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  async list(): Promise<SymbolRow[]> {
    return this.db.selectFrom('symbols').selectAll().orderBy('symbol').execute();
  }

  async find(symbol: string): Promise<SymbolRow | undefined> {
    return this.db
      .selectFrom('symbols')
      .selectAll()
      .where('symbol', '=', symbol)
      .executeTakeFirst();
  }

  /** Changes the status and stores the audit leaves `audit` makes for it, in one transaction. */
  async setStatus(symbol: string, status: SymbolStatus, audit: () => AuditRows): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await this.fence.check(tx);
      const result = await tx
        .updateTable('symbols')
        .set({ status })
        .where('symbol', '=', symbol)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await insertAuditRows(tx, audit());
      return true;
    });
  }
}
