// All SQL about listed symbols.

import type { Kysely } from 'kysely';
import type { Database, NewSymbol, SymbolRow, SymbolStatus } from './schema.ts';

export class SymbolsRepo {
  constructor(private readonly db: Kysely<Database>) {}

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

  async setStatus(symbol: string, status: SymbolStatus): Promise<boolean> {
    const result = await this.db
      .updateTable('symbols')
      .set({ status })
      .where('symbol', '=', symbol)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
