// All SQL about manual IP blocks: the ones that must outlive a restart.

import type { Kysely } from 'kysely';
import type { Database, IpBlockRow } from './schema.ts';

export class IpBlocksRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores the block on its address key, replacing one stored before. */
  async save(block: IpBlockRow): Promise<void> {
    await this.db
      .insertInto('ip_blocks')
      .values(block)
      .onConflict((oc) =>
        oc.column('address_key').doUpdateSet({
          reason: block.reason,
          actor: block.actor,
          since: block.since,
          until: block.until,
        }),
      )
      .execute();
  }

  /** Whether a block on `key` was stored. */
  async remove(key: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('ip_blocks')
      .where('address_key', '=', key)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Removes every stored block; returns how many there were. */
  async clear(): Promise<number> {
    const result = await this.db.deleteFrom('ip_blocks').executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The blocks still in force at `now` (epoch ms), after removing those that are not. */
  async active(now: number): Promise<IpBlockRow[]> {
    await this.db.deleteFrom('ip_blocks').where('until', '<=', now).execute();
    return this.db.selectFrom('ip_blocks').selectAll().orderBy('since').execute();
  }
}
