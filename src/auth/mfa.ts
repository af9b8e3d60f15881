// TOTP multi-factor authentication: enrolment with a QR code, confirmation with a first code,
// ten single-use recovery codes, and the second step of login. The TOTP secret is stored
// encrypted; a code is accepted at most once. A recovery code is stored as a keyed hash (HMAC with
// a key derived from the master key for this alone), so a copy of the database cannot be searched
// offline for the codes' 50 bits.

import { createHash, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { hmacSha256 } from '../crypto/index.ts';
import { ApiError } from '../errors.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { SecurityEvents } from '../defense/security-events.ts';
import type { MfaRepo } from '../store/mfa.repo.ts';
import { userFieldContext } from '../store/sealed-fields.repo.ts';
import type { UserRow } from '../store/schema.ts';
import type { UsersRepo } from '../store/users.repo.ts';
import { base32, fromBase32, matchTotp, newTotpSecret, otpauthUri } from './totp.ts';
import type { RequestOrigin } from './principal.ts';

export const RECOVERY_CODE_COUNT = 10;
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
export const CHALLENGE_MAX_FAILURES = 5;

export interface Enrolment {
  secret: string;
  otpauth_uri: string;
  qr_code: string;
}

/** `xxxxx-xxxxx`: 50 bits from a 32-letter alphabet without look-alikes. */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length] ?? 'a');
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/**
 * SHA-256 of the text as typed (trimmed, lower case). Alone, it is the id a challenge token (256
 * random bits) is stored under; for recovery codes, it is only the inner hash (see sealedCode).
 */
function digest(text: string): string {
  return createHash('sha256').update(text.trim().toLowerCase(), 'utf8').digest('hex');
}

/** The HKDF label of the recovery-code key; no other key is derived with it. */
export const RECOVERY_CODE_KEY_LABEL = 'mfa-recovery-code';
/** Marks a keyed hash; a stored hash without it is an unkeyed SHA-256 from before. */
export const SEALED_CODE_PREFIX = 'hmac1:';

const secretContext = (userId: number): string => userFieldContext('mfa_secret_enc', userId);

export class Mfa {
  private readonly recoveryKey: Buffer;

  constructor(
    private readonly users: UsersRepo,
    private readonly repo: MfaRepo,
    private readonly keyring: Keyring,
    private readonly events: SecurityEvents,
    private readonly issuer: string,
    private readonly now: () => number,
  ) {
    this.recoveryKey = keyring.derivedKey(RECOVERY_CODE_KEY_LABEL);
  }

  /**
   * A recovery code as stored: HMAC-SHA256 of its SHA-256. The inner SHA-256 is what older
   * versions stored, so those rows are sealed in place (sealStoredRecoveryCodes) and keep working.
   */
  private sealedCode(innerDigest: string): string {
    return (
      SEALED_CODE_PREFIX + hmacSha256(this.recoveryKey, Buffer.from(innerDigest)).toString('hex')
    );
  }

  /** Seals recovery codes an older version stored as bare SHA-256; how many. Run at start. */
  async sealStoredRecoveryCodes(): Promise<number> {
    let sealed = 0;
    for (const row of await this.repo.unsealedRecoveryCodes(SEALED_CODE_PREFIX)) {
      if (await this.repo.replaceCodeHash(row.id, row.code_hash, this.sealedCode(row.code_hash)))
        sealed += 1;
    }
    return sealed;
  }

  /** Starts (or restarts) enrolment: a new secret, kept until confirmed with a code. */
  async enroll(user: UserRow): Promise<Enrolment> {
    if (user.mfa_enabled === 1) throw new ApiError('MFA_ALREADY_ENABLED', 'MFA is already on');
    const secret = newTotpSecret();
    await this.users.update(user.id, {
      mfa_secret_enc: this.keyring.seal(secretContext(user.id), base32(secret)),
      mfa_last_step: null,
      updated_at: this.now(),
    });
    const uri = otpauthUri(secret, user.username, this.issuer);
    return { secret: base32(secret), otpauth_uri: uri, qr_code: await QRCode.toDataURL(uri) };
  }

  /** Turns MFA on once the user proves the app works; returns the recovery codes, once. */
  async confirm(user: UserRow, code: string, origin: RequestOrigin): Promise<string[]> {
    if (user.mfa_enabled === 1) throw new ApiError('MFA_ALREADY_ENABLED', 'MFA is already on');
    if (user.mfa_secret_enc === null) {
      throw new ApiError('MFA_NOT_ENABLED', 'start MFA enrolment first');
    }
    if (!(await this.acceptTotp(user, code))) {
      throw new ApiError(
        'MFA_CODE_INVALID',
        'the code is not valid; check the time on your device',
      );
    }
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.repo.replaceRecoveryCodes(
      user.id,
      codes.map((code) => this.sealedCode(digest(code))),
    );
    await this.users.update(user.id, { mfa_enabled: 1, updated_at: this.now() });
    await this.events.record({
      type: 'mfa_enabled',
      severity: 'LOW',
      description: 'MFA was turned on',
      ip: origin.ip,
      userId: user.id,
    });
    return codes;
  }

  /** True if `code` is a fresh TOTP code or an unused recovery code of this user. */
  async verify(user: UserRow, code: string, origin: RequestOrigin): Promise<boolean> {
    if (user.mfa_enabled !== 1) return false;
    if (/^\d{6}$/.test(code.trim())) return this.acceptTotp(user, code.trim());
    const used = await this.repo.useRecoveryCode(
      user.id,
      this.sealedCode(digest(code)),
      this.now(),
    );
    if (used) {
      await this.events.record({
        type: 'recovery_code_used',
        severity: 'MEDIUM',
        description: 'a recovery code was used',
        ip: origin.ip,
        userId: user.id,
        details: { remaining: await this.repo.remainingRecoveryCodes(user.id) },
      });
    }
    return used;
  }

  async disable(user: UserRow, origin: RequestOrigin): Promise<void> {
    await this.users.update(user.id, {
      mfa_enabled: 0,
      mfa_secret_enc: null,
      mfa_last_step: null,
      updated_at: this.now(),
    });
    await this.repo.deleteRecoveryCodes(user.id);
    await this.events.record({
      type: 'mfa_disabled',
      severity: 'MEDIUM',
      description: 'MFA was turned off',
      ip: origin.ip,
      userId: user.id,
    });
  }

  /** The first step of an MFA login: an opaque, short-lived challenge id. */
  async challenge(user: UserRow): Promise<{ mfa_token: string; expires_in: number }> {
    const id = randomBytes(32).toString('base64url');
    await this.repo.createChallenge(digest(id), user.id, this.now() + CHALLENGE_LIFETIME_MS);
    return { mfa_token: id, expires_in: CHALLENGE_LIFETIME_MS / 1000 };
  }

  /** Completes a challenge with a code; returns the user it belongs to. */
  async answer(token: string, code: string, origin: RequestOrigin): Promise<UserRow> {
    const id = digest(token);
    const challenge = await this.repo.findChallenge(id);
    if (
      challenge === undefined ||
      challenge.used_at !== null ||
      challenge.expires_at <= this.now() ||
      challenge.failed_attempts >= CHALLENGE_MAX_FAILURES
    ) {
      throw new ApiError('MFA_CHALLENGE_INVALID', 'the sign-in attempt expired; log in again');
    }
    const user = await this.users.findById(challenge.user_id);
    if (user === undefined || user.disabled === 1) {
      throw new ApiError('MFA_CHALLENGE_INVALID', 'the sign-in attempt expired; log in again');
    }
    if (!(await this.verify(user, code, origin))) {
      await this.repo.failChallenge(id);
      await this.events.record({
        type: 'authn_mfa_failure',
        severity: 'MEDIUM',
        description: 'a wrong MFA code was entered',
        ip: origin.ip,
        userId: user.id,
      });
      throw new ApiError('MFA_CODE_INVALID', 'the code is not valid');
    }
    if (!(await this.repo.completeChallenge(id, this.now()))) {
      throw new ApiError('MFA_CHALLENGE_INVALID', 'the sign-in attempt was already completed');
    }
    return user;
  }

  private async acceptTotp(user: UserRow, code: string): Promise<boolean> {
    if (user.mfa_secret_enc === null) return false;
    const secret = this.keyring.openOwn(secretContext(user.id), user.mfa_secret_enc);
    const step = matchTotp({ secret: fromBase32(secret) }, code, this.now());
    return step !== undefined && (await this.repo.advanceTotpStep(user.id, step));
  }
}
