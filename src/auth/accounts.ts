// Accounts: registration, login, password change and profile. Registration is one durable step:
// the user row is stored unopened (it cannot log in), and the journal write that credits its
// starting cash opens it, so no crash leaves an account without its cash. Unknown usernames cost
// the same argon2 work and get the same answer as wrong passwords. Email and full name are stored
// encrypted; email lookups use a blind index.

import type { Kysely } from 'kysely';
import { ApiError } from '../errors.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { SecurityEvents } from '../defense/security-events.ts';
import type { Database, Role, UserRow } from '../store/schema.ts';
import { userFieldContext } from '../store/sealed-fields.repo.ts';
import { UsersRepo } from '../store/users.repo.ts';
import type { ApiKeys } from './api-keys.ts';
import type { Mfa } from './mfa.ts';
import { checkPassword, normalizePassword } from './password-policy.ts';
import type { PasswordHasher } from './password.ts';
import type { RequestOrigin } from './principal.ts';
import type { Sessions, TokenPair } from './sessions.ts';

export interface Profile {
  user_id: number;
  username: string;
  email: string | null;
  full_name: string | null;
  role: Role;
  mfa_enabled: boolean;
  password_change_required: boolean;
  created_at: string;
}

export type LoginResult =
  | ({ mfa_required: false } & TokenPair)
  | { mfa_required: true; mfa_token: string; expires_in: number };

declare const reauthenticated: unique symbol;

/**
 * Proof that the user has just given the password again (and an MFA code when MFA is on), not
 * only a token. Only `Accounts.reauthenticate` makes one; actions that outlive a session need it.
 */
export interface Reauthenticated {
  readonly userId: number;
  readonly [reauthenticated]: true;
}

export interface AccountsPolicy {
  passwordMinLength: number;
  startingBalance: number;
  /**
   * Opens a registered account with its starting cash, in one journal write (through the
   * sequencer, so the ledger stays its one writer); rejects when that is not known to be durable.
   */
  open: (userId: number, cash: number) => Promise<void>;
  /**
   * Whether an opening that failed has surely ended: true on a single node, where the journal
   * has answered before `open` rejects. In a cluster the leader may still be carrying the
   * command out, so the row stays, and the leader discards it once no command can open it any
   * more (see `discardUnopened`).
   */
  openingEndsWithAnswer: boolean;
}

const emailContext = (id: number): string => userFieldContext('email_enc', id);
const nameContext = (id: number): string => userFieldContext('full_name_enc', id);

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function isUniqueViolation(error: unknown): boolean {
  const text =
    error instanceof Error ? `${error.message} ${(error as { code?: string }).code ?? ''}` : '';
  return /UNIQUE|unique|23505/.test(text);
}

export class Accounts {
  private readonly users: UsersRepo;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    private readonly hasher: PasswordHasher,
    private readonly sessions: Sessions,
    private readonly mfa: Mfa,
    private readonly apiKeys: ApiKeys,
    private readonly events: SecurityEvents,
    private readonly policy: AccountsPolicy,
    private readonly now: () => number,
  ) {
    this.users = new UsersRepo(db);
  }

  async register(input: {
    username: string;
    email: string;
    password: string;
    full_name: string;
  }): Promise<{ user_id: number; username: string }> {
    this.enforcePasswordPolicy(input.password, input.username);
    const email = normalizeEmail(input.email);
    const emailIndex = this.keyring.blindIndex('email', email);
    if ((await this.users.findByUsername(input.username)) !== undefined) {
      throw new ApiError('USERNAME_TAKEN', 'this username is taken');
    }
    if ((await this.users.findByEmailIndex(emailIndex)) !== undefined) {
      throw new ApiError('EMAIL_TAKEN', 'an account with this email exists');
    }
    // Hashing is slow: it happens before anything is written, and never inside the sequencer.
    const passwordHash = await this.hasher.hash(normalizePassword(input.password));
    const now = this.now();
    let user: UserRow;
    try {
      user = await this.db.transaction().execute(async (tx) => {
        const users = new UsersRepo(tx);
        const created = await users.insert({
          username: input.username,
          username_key: input.username.toLowerCase(),
          email_enc: null,
          email_index: emailIndex,
          full_name_enc: null,
          password_hash: passwordHash,
          role: 'user',
          mfa_secret_enc: null,
          mfa_last_step: null,
          disabled: 1,
          opened: 0,
          created_at: now,
          updated_at: now,
        });
        await users.update(created.id, {
          email_enc: this.keyring.seal(emailContext(created.id), email),
          full_name_enc: this.keyring.seal(nameContext(created.id), input.full_name),
        });
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ApiError('CONFLICT', 'this username or email is taken');
      throw error;
    }
    try {
      await this.policy.open(user.id, this.policy.startingBalance);
    } catch (error) {
      // Not opened, or not known to be: the database says which. An account it has not opened
      // goes, so the username is free again; one it has opened is the caller's. While the
      // database does not answer, neither is known: startup discards the row if it stays unopened.
      const outcome = await this.settleOpening(user.id).catch(() => 'unknown' as const);
      if (outcome === 'opened') return { user_id: user.id, username: user.username };
      if (!(error instanceof ApiError)) throw error;
      throw new ApiError(
        'TRADING_UNAVAILABLE',
        outcome === 'discarded'
          ? 'the exchange could not open the account, so it was not created; try again in a few seconds'
          : 'the exchange could not confirm that the account was opened: try signing in once trading resumes, and register again if that fails',
      );
    }
    return { user_id: user.id, username: user.username };
  }

  /** After a failed opening: the account goes if it is still unopened; says which it was. */
  private async settleOpening(userId: number): Promise<'opened' | 'discarded' | 'unknown'> {
    if (this.policy.openingEndsWithAnswer && (await this.users.discardUnopened(userId)))
      return 'discarded';
    return (await this.users.findById(userId))?.opened === 1 ? 'opened' : 'unknown';
  }

  /**
   * Removes the accounts left unopened, between their row and their opening (by a crash, or an
   * opening whose outcome a cluster node never heard), registered before `before`: a time after
   * which no opening of them can be in flight any more. A single node passes none at startup.
   */
  async discardUnopened(before?: number): Promise<number> {
    return this.users.discardAllUnopened(before);
  }

  async login(username: string, password: string, origin: RequestOrigin): Promise<LoginResult> {
    const user = await this.users.findByUsername(username);
    const candidate = normalizePassword(password);
    const ok = await this.hasher.verify(user?.password_hash, candidate);
    if (user === undefined || !ok || user.disabled === 1) {
      await this.events.record({
        type: 'authn_login_fail',
        severity: 'LOW',
        description: 'a login failed',
        ip: origin.ip,
        userId: user?.id,
        details: { username: username.slice(0, 64) },
      });
      throw new ApiError('INVALID_CREDENTIALS', 'username or password is incorrect');
    }
    if (this.hasher.needsRehash(user.password_hash)) {
      await this.users.update(user.id, {
        password_hash: await this.hasher.hash(candidate),
        updated_at: this.now(),
      });
    }
    if (user.mfa_enabled === 1) return { mfa_required: true, ...(await this.mfa.challenge(user)) };
    return { mfa_required: false, ...(await this.sessions.start(user, origin)) };
  }

  /** The second step of an MFA login. */
  async completeMfaLogin(
    mfaToken: string,
    code: string,
    origin: RequestOrigin,
  ): Promise<TokenPair> {
    const user = await this.mfa.answer(mfaToken, code, origin);
    return this.sessions.start(user, origin);
  }

  /**
   * Changes the password, ends every other session of the user and, unless `keep_api_keys` says
   * otherwise, revokes every API key: a thief's key must not outlive the password they stole.
   */
  async changePassword(
    userId: number,
    sessionId: string | undefined,
    input: { current_password: string; new_password: string; keep_api_keys?: boolean | undefined },
    origin: RequestOrigin,
  ): Promise<{
    access_token?: string;
    expires_in?: number;
    sessions_ended: number;
    api_keys_revoked: number;
  }> {
    const user = await this.require(userId);
    if (
      !(await this.hasher.verify(user.password_hash, normalizePassword(input.current_password)))
    ) {
      throw new ApiError('INVALID_CREDENTIALS', 'the current password is incorrect');
    }
    if (input.current_password === input.new_password) {
      throw new ApiError('PASSWORD_POLICY', 'the new password must differ from the current one');
    }
    this.enforcePasswordPolicy(input.new_password, user.username);
    await this.users.update(user.id, {
      password_hash: await this.hasher.hash(normalizePassword(input.new_password)),
      must_change_password: 0,
      updated_at: this.now(),
    });
    const ended = await this.sessions.endOthers(user.id, sessionId, 'password changed');
    const revoked =
      input.keep_api_keys === true
        ? 0
        : await this.apiKeys.revokeAll(user.id, 'the password was changed', origin);
    await this.events.record({
      type: 'password_changed',
      severity: 'LOW',
      description: 'the password was changed; other sessions were ended',
      ip: origin.ip,
      userId: user.id,
      details: { sessions_ended: ended, api_keys_revoked: revoked },
    });
    const fresh = sessionId === undefined ? {} : await this.sessions.reissue(user, sessionId);
    return { ...fresh, sessions_ended: ended, api_keys_revoked: revoked };
  }

  async profile(userId: number): Promise<Profile> {
    const user = await this.require(userId);
    return {
      user_id: user.id,
      username: user.username,
      email:
        user.email_enc === null
          ? null
          : this.keyring.openOwn(emailContext(user.id), user.email_enc),
      full_name:
        user.full_name_enc === null
          ? null
          : this.keyring.openOwn(nameContext(user.id), user.full_name_enc),
      role: user.role,
      mfa_enabled: user.mfa_enabled === 1,
      password_change_required: user.must_change_password === 1,
      created_at: new Date(user.created_at).toISOString(),
    };
  }

  /** Updates the fields a user may change about themselves: name and email, nothing else. */
  async updateProfile(
    userId: number,
    changes: { full_name?: string; email?: string },
  ): Promise<Profile> {
    const user = await this.require(userId);
    const update: {
      full_name_enc?: string;
      email_enc?: string;
      email_index?: string;
      updated_at: number;
    } = {
      updated_at: this.now(),
    };
    if (changes.full_name !== undefined)
      update.full_name_enc = this.keyring.seal(nameContext(user.id), changes.full_name);
    if (changes.email !== undefined) {
      const email = normalizeEmail(changes.email);
      const index = this.keyring.blindIndex('email', email);
      const owner = await this.users.findByEmailIndex(index);
      if (owner !== undefined && owner.id !== user.id) {
        throw new ApiError('EMAIL_TAKEN', 'an account with this email exists');
      }
      update.email_enc = this.keyring.seal(emailContext(user.id), email);
      update.email_index = index;
    }
    await this.users.update(user.id, update);
    return this.profile(userId);
  }

  /** Accounts for administrators, without personal fields. */
  async list(limit: number, afterId: number) {
    const rows = await this.users.page(limit, afterId);
    return rows.map((u) => ({
      user_id: u.id,
      username: u.username,
      role: u.role,
      mfa_enabled: u.mfa_enabled === 1,
      disabled: u.disabled === 1,
      created_at: new Date(u.created_at).toISOString(),
    }));
  }

  async require(userId: number): Promise<UserRow> {
    const user = await this.users.findById(userId);
    if (user === undefined) throw new ApiError('NOT_FOUND', 'no such user');
    return user;
  }

  /** Checks the password, for actions that need it again (turning MFA off). */
  async confirmPassword(user: UserRow, password: string): Promise<void> {
    if (!(await this.hasher.verify(user.password_hash, normalizePassword(password)))) {
      throw new ApiError('INVALID_CREDENTIALS', 'the password is incorrect');
    }
  }

  /**
   * Checks that the user is present, not only their token: the password, and a TOTP or recovery
   * code when MFA is on. A wrong one is a security event and REAUTHENTICATION_FAILED (403, so a
   * client does not mistake it for an expired token).
   */
  async reauthenticate(
    user: UserRow,
    input: { password: string; code?: string | undefined },
    action: string,
    origin: RequestOrigin,
  ): Promise<Reauthenticated> {
    if (!(await this.hasher.verify(user.password_hash, normalizePassword(input.password)))) {
      await this.events.record({
        type: 'authn_login_fail',
        severity: 'LOW',
        description: `the password given to ${action} was wrong`,
        ip: origin.ip,
        userId: user.id,
      });
      throw new ApiError('REAUTHENTICATION_FAILED', 'the password is incorrect');
    }
    if (user.mfa_enabled === 1) {
      if (input.code === undefined) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'body.code is required: two-factor authentication is on (an authenticator or recovery code)',
        );
      }
      if (!(await this.mfa.verify(user, input.code, origin))) {
        await this.events.record({
          type: 'authn_mfa_failure',
          severity: 'MEDIUM',
          description: `the MFA code given to ${action} was wrong`,
          ip: origin.ip,
          userId: user.id,
        });
        throw new ApiError('REAUTHENTICATION_FAILED', 'the two-factor code is not valid');
      }
    }
    return { userId: user.id } as Reauthenticated;
  }

  private enforcePasswordPolicy(password: string, username: string): void {
    const problem = checkPassword(password, { minLength: this.policy.passwordMinLength, username });
    if (problem !== undefined) throw new ApiError('PASSWORD_POLICY', problem.message);
  }
}
