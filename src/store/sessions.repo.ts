// All SQL about sessions (refresh-token families) and their refresh tokens.

import type { Kysely } from 'kysely';
import type { Database, Role, SessionRow } from './schema.ts';

export interface SessionState {
  revoked_at: number | null;
  created_at: number;
  last_used_at: number;
  user_id: number;
  role: Role;
  disabled: number;
  must_change_password: number;
}

export type RotateOutcome =
  | { kind: 'rotated'; session: SessionRow }
  | { kind: 'unknown' }
  | { kind: 'reused'; session: SessionRow; usedAt: number }
  | { kind: 'expired'; session: SessionRow }
  | { kind: 'revoked'; session: SessionRow };

export class SessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    session: { id: string; user_id: number; ip: string | null; user_agent: string | null },
    refresh: { token_hash: string; expires_at: number },
    now: number,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('sessions')
        .values({
          ...session,
          created_at: now,
          last_used_at: now,
          revoked_at: null,
          revoke_reason: null,
        })
        .execute();
      await tx
        .insertInto('refresh_tokens')
        .values({ ...refresh, session_id: session.id, created_at: now, used_at: null })
        .execute();
    });
  }

  /** The session's state joined with its user's current role, for checking an access token. */
  async state(sessionId: string): Promise<SessionState | undefined> {
    return this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select([
        's.revoked_at',
        's.created_at',
        's.last_used_at',
        's.user_id',
        'u.role',
        'u.disabled',
        'u.must_change_password',
      ])
      .where('s.id', '=', sessionId)
      .executeTakeFirst();
  }

  /** Records a use of the session, which postpones its idle timeout. */
  async touch(sessionId: string, now: number): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_used_at: now })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /**
   * Spends `tokenHash` and stores its successor, atomically. A token already spent is reuse;
   * the caller revokes the session. Sessions last used before `cutoffs.idle`, or started
   * by `cutoffs.started`, have expired.
   */
  async rotate(
    tokenHash: string,
    next: { token_hash: string; expires_at: number },
    now: number,
    cutoffs: { idle: number; started: number },
  ): Promise<RotateOutcome> {
    return this.db.transaction().execute(async (tx): Promise<RotateOutcome> => {
      const token = await tx
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (token === undefined) return { kind: 'unknown' };
      const session = await tx
        .selectFrom('sessions')
        .selectAll()
        .where('id', '=', token.session_id)
        .executeTakeFirstOrThrow();
      if (session.revoked_at !== null) return { kind: 'revoked', session };
      const spent = await tx
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(spent.numUpdatedRows) === 0) {
        return { kind: 'reused', session, usedAt: token.used_at ?? now };
      }
      if (
        token.expires_at <= now ||
        session.last_used_at < cutoffs.idle ||
        session.created_at <= cutoffs.started
      ) {
        return { kind: 'expired', session };
      }
      await tx
        .insertInto('refresh_tokens')
        .values({ ...next, session_id: session.id, created_at: now, used_at: null })
        .execute();
      await tx
        .updateTable('sessions')
        .set({ last_used_at: now })
        .where('id', '=', session.id)
        .execute();
      return { kind: 'rotated', session };
    });
  }

  /** Whether `tokenHash` is a refresh token not spent yet, of a session not revoked. */
  async isLive(tokenHash: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('refresh_tokens as r')
      .innerJoin('sessions as s', 's.id', 'r.session_id')
      .select('r.token_hash')
      .where('r.token_hash', '=', tokenHash)
      .where('r.used_at', 'is', null)
      .where('s.revoked_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async revoke(sessionId: string, reason: string, now: number): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revoked_at: now, revoke_reason: reason })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Revokes the live sessions last used before `cutoffs.idle` or started by `cutoffs.started`. */
  async revokeExpired(cutoffs: { idle: number; started: number }, now: number): Promise<number> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now, revoke_reason: 'expired' })
      .where('revoked_at', 'is', null)
      .where((eb) =>
        eb.or([eb('last_used_at', '<', cutoffs.idle), eb('created_at', '<=', cutoffs.started)]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Revokes every live session of a user but `keep`; returns how many ended. */
  async revokeAllOfUser(
    userId: number,
    reason: string,
    now: number,
    keep?: string,
  ): Promise<number> {
    let query = this.db
      .updateTable('sessions')
      .set({ revoked_at: now, revoke_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (keep !== undefined) query = query.where('id', '<>', keep);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
