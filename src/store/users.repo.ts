// All SQL about user accounts.

import type { Kysely, Transaction } from 'kysely';
import type { Database, NewUser, UserRow, UserUpdate } from './schema.ts';

export class UsersRepo {
  constructor(private readonly db: Kysely<Database> | Transaction<Database>) {}

  async insert(user: NewUser): Promise<UserRow> {
    return this.db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
  }

  async findById(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username_key', '=', username.toLowerCase())
      .executeTakeFirst();
  }

  async findByEmailIndex(index: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('email_index', '=', index)
      .executeTakeFirst();
  }

  async update(id: number, changes: UserUpdate): Promise<void> {
    await this.db.updateTable('users').set(changes).where('id', '=', id).execute();
  }

  async page(limit: number, afterId: number): Promise<UserRow[]> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * An account the exchange itself trades or collects fees with: it cannot log in (its password
   * hash matches nothing). Returns its id, creating it on first use.
   */
  async ensureSystemUser(username: string, now: number): Promise<number> {
    await this.db
      .insertInto('users')
      .values({
        username,
        username_key: username.toLowerCase(),
        password_hash: '!',
        role: 'user',
        disabled: 1,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('username_key').doNothing())
      .execute();
    const user = await this.findByUsername(username);
    if (user === undefined) throw new Error(`system user ${username} is missing`);
    return user.id;
  }

  /**
   * Removes an account whose opening was never written (see users.opened); false when there is
   * none such, because the account was opened after all.
   */
  async discardUnopened(id: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('users')
      .where('id', '=', id)
      .where('opened', '=', 0)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Removes every unopened account, or those created before `before` (epoch ms). */
  async discardAllUnopened(before?: number): Promise<number> {
    let query = this.db.deleteFrom('users').where('opened', '=', 0);
    if (before !== undefined) query = query.where('created_at', '<', before);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
