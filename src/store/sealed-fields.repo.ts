// All SQL about the columns sealed with data keys (envelopes `v1.<keyId>.…`): which ones there
// are, their AAD contexts, how many values each key sealed, and compare-and-swap re-encryption.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Every column the keyring seals. A new sealed column must be listed here to be rotated. */
export const SEALED_USER_COLUMNS = ['email_enc', 'full_name_enc', 'mfa_secret_enc'] as const;
export type SealedUserColumn = (typeof SEALED_USER_COLUMNS)[number];

/** The AAD context of a sealed user field: `users:<id>:email`, `…:full_name`, `…:mfa_secret`. */
export function userFieldContext(column: SealedUserColumn, userId: number): string {
  return `users:${userId}:${column.slice(0, -'_enc'.length)}`;
}

export type SealedUserRow = { id: number } & Record<SealedUserColumn, string | null>;

// Key ids are integers, so the prefix has no LIKE wildcard in it.
const sealedBy = (keyId: number): string => `v1.${keyId}.%`;

export class SealedFieldsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** How many stored values each key id sealed (ids with none are absent). */
  async countByKey(keyIds: readonly number[]): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const keyId of keyIds) {
      let total = 0;
      for (const column of SEALED_USER_COLUMNS) {
        const row = await this.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(column, 'like', sealedBy(keyId))
          .executeTakeFirstOrThrow();
        total += Number(row.n);
      }
      if (total > 0) counts.set(keyId, total);
    }
    return counts;
  }

  /** Every sealed value stored, whatever its key. */
  async countSealed(): Promise<number> {
    let total = 0;
    for (const column of SEALED_USER_COLUMNS) {
      const row = await this.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(column, 'is not', null)
        .executeTakeFirstOrThrow();
      total += Number(row.n);
    }
    return total;
  }

  /** The next rows (by id, after `afterId`) with a sealed value under a key other than `keyId`. */
  async rowsNotSealedBy(keyId: number, afterId: number, limit: number): Promise<SealedUserRow[]> {
    return this.db
      .selectFrom('users')
      .select(['id', ...SEALED_USER_COLUMNS])
      .where('id', '>', afterId)
      .where((eb) =>
        eb.or(SEALED_USER_COLUMNS.map((column) => eb(column, 'not like', sealedBy(keyId)))),
      )
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Replaces one sealed value only if it still holds `from` (compare-and-swap): a concurrent
   * write wins and the old value is not resurrected. True if this call replaced it.
   */
  async swap(userId: number, column: SealedUserColumn, from: string, to: string): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ [column]: to })
      .where('id', '=', userId)
      .where(column, '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
