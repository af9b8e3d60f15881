// All SQL about API keys. Every read that a user can trigger is scoped to that user.

import type { Kysely } from 'kysely';
import type { ApiKeyRow, Database } from './schema.ts';

export class ApiKeysRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(key: Omit<ApiKeyRow, 'last_used_at' | 'revoked_at'>): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({ ...key, last_used_at: null, revoked_at: null })
      .execute();
  }

  /** A live key by id, for verifying a signed request. */
  async findActive(id: string): Promise<ApiKeyRow | undefined> {
    return this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  async listOfUser(userId: number): Promise<ApiKeyRow[]> {
    return this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  /** Revokes the user's own key; false if the user has no such live key. */
  async revoke(userId: number, id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes every live key of the user; how many were live. */
  async revokeAllOfUser(userId: number, now: number): Promise<number> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}
