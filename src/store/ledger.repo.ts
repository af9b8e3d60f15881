// All SQL about balances and ledger entries. Every balance change is written together with the
// double-entry ledger transaction that explains it.

import type { Kysely, Transaction } from 'kysely';
import type { BalanceRow, Database } from './schema.ts';

/** The outside world that deposits come from; a system account, so it has no user. */
export const EXTERNAL_ACCOUNT = 'external';

export class LedgerRepo {
  constructor(private readonly db: Kysely<Database> | Transaction<Database>) {}

  /**
   * Credits `amount` of `asset` to a user's available balance as a balanced
   * transaction: the external account is debited what the user is credited. Run it inside a
   * database transaction so the entries and the balance land together.
   */
  async deposit(
    deposit: { userId: number; asset: string; amount: number; ref: string },
    now: number,
  ): Promise<void> {
    const txId = await this.nextTxId();
    await this.db
      .insertInto('ledger_entries')
      .values([
        {
          tx_id: txId,
          user_id: null,
          account: EXTERNAL_ACCOUNT,
          asset: deposit.asset,
          amount: -deposit.amount,
          kind: 'DEPOSIT',
          ref: deposit.ref,
          created_at: now,
        },
        {
          tx_id: txId,
          user_id: deposit.userId,
          account: 'available',
          asset: deposit.asset,
          amount: deposit.amount,
          kind: 'DEPOSIT',
          ref: deposit.ref,
          created_at: now,
        },
      ])
      .execute();
    await this.db
      .insertInto('balances')
      .values({
        user_id: deposit.userId,
        asset: deposit.asset,
        available: deposit.amount,
        held: 0,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['user_id', 'asset']).doUpdateSet((eb) => ({
          available: eb('balances.available', '+', deposit.amount),
          updated_at: now,
        })),
      )
      .execute();
  }

  async balancesOf(userId: number): Promise<BalanceRow[]> {
    return this.db
      .selectFrom('balances')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('asset')
      .execute();
  }

  async entriesOf(userId: number) {
    return this.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
  }

  private async nextTxId(): Promise<number> {
    const row = await this.db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.max('tx_id').as('max'))
      .executeTakeFirst();
    return Number(row?.max ?? 0) + 1;
  }
}
