// All SQL about MFA: recovery codes and login challenges.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export class MfaRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Replaces the user's recovery codes with new ones. */
  async replaceRecoveryCodes(userId: number, codeHashes: readonly string[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      await tx
        .insertInto('mfa_recovery_codes')
        .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null })))
        .execute();
    });
  }

  /** Spends a recovery code; true only the first time. */
  async useRecoveryCode(userId: number, codeHash: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Recovery codes whose stored hash lacks `prefix`: unkeyed ones from an older version. */
  async unsealedRecoveryCodes(prefix: string): Promise<{ id: number; code_hash: string }[]> {
    return this.db
      .selectFrom('mfa_recovery_codes')
      .select(['id', 'code_hash'])
      .where('code_hash', 'not like', `${prefix}%`)
      .execute();
  }

  /** Replaces one stored hash, only if it is still `from` (two nodes may seal at once). */
  async replaceCodeHash(id: number, from: string, to: string): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_recovery_codes')
      .set({ code_hash: to })
      .where('id', '=', id)
      .where('code_hash', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async remainingRecoveryCodes(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom('mfa_recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async deleteRecoveryCodes(userId: number): Promise<void> {
    await this.db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  }

  async createChallenge(id: string, userId: number, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('mfa_challenges')
      .values({ id, user_id: userId, expires_at: expiresAt, used_at: null })
      .execute();
  }

  async findChallenge(id: string) {
    return this.db.selectFrom('mfa_challenges').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async failChallenge(id: string): Promise<void> {
    await this.db
      .updateTable('mfa_challenges')
      .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /** Marks the challenge used; true only the first time. */
  async completeChallenge(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_challenges')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Accepts a TOTP time step only if it is newer than the last one used. */
  async advanceTotpStep(userId: number, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ mfa_last_step: step })
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('mfa_last_step', 'is', null), eb('mfa_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
