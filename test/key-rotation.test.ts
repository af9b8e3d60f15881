// Data key rotation on every test database: re-encryption of every sealed column, new writes
// under the new key, a restart in the middle, concurrent writers, retirement and the admin view.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromBase32, totpCode } from '../src/auth/totp.ts';
import { KeyRotation, KEY_PICKUP_MS } from '../src/keys/rotation.ts';
import { DataKeysRepo, openKeyring } from '../src/store/data-keys.repo.ts';
import { ensureKeyMaterial } from '../src/store/key-files.ts';
import {
  SEALED_USER_COLUMNS,
  SealedFieldsRepo,
  userFieldContext,
} from '../src/store/sealed-fields.repo.ts';
import { UsersRepo } from '../src/store/users.repo.ts';
import { PASSWORD, call, register, signIn } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { rawUserData } from './support/raw-store.ts';
import { storeFactories } from './support/stores.ts';

describe.each(storeFactories())('data key rotation on $name', (factory) => {
  let t: TestApp;
  let clock: number;

  beforeEach(async () => {
    clock = Date.now();
    t = await openTestApp(factory, {}, { now: () => clock });
  });
  afterEach(async () => {
    await t.close();
  });

  /** Registers `count` users and turns MFA on for the first; returns the TOTP secret. */
  async function population(count: number): Promise<{ ids: number[]; secret: Uint8Array }> {
    const ids: number[] = [];
    for (let i = 0; i < count; i += 1) ids.push(await register(t, `user${i}`));
    const token = (await signIn(t, 'user0')).access_token as string;
    const enrol = await call(t, 'POST', '/api/auth/mfa/enroll', { token });
    const secret = fromBase32(enrol.body.secret as string);
    const confirm = await call(t, 'POST', '/api/auth/mfa/confirm', {
      token,
      body: { code: totpCode({ secret }, clock) },
    });
    expect(confirm.status).toBe(200);
    return { ids, secret };
  }

  async function profiles(ids: readonly number[]): Promise<unknown[]> {
    return Promise.all(ids.map((id) => t.exchange.identity.accounts.profile(id)));
  }

  /** Every sealed value in the users table, with the key id its envelope names. */
  async function sealedKeyIds(): Promise<string[]> {
    const rows = await t.store.db
      .selectFrom('users')
      .select([...SEALED_USER_COLUMNS])
      .execute();
    return rows.flatMap((row) =>
      SEALED_USER_COLUMNS.map((c) => row[c])
        .filter((v): v is string => v !== null)
        .map((v) => v.split('.')[1] ?? ''),
    );
  }

  async function adminToken(): Promise<string> {
    const id = await register(t, 'keyadmin');
    await new UsersRepo(t.store.db).update(id, { role: 'admin' });
    return (await signIn(t, 'keyadmin')).access_token as string;
  }

  it('re-encrypts every sealed column under the new key and loses nothing', async () => {
    const { ids, secret } = await population(6);
    const before = await profiles(ids);
    const userToken = (await signIn(t, 'user1')).access_token as string;
    const handedOut = await call(t, 'POST', '/api/crypto/encrypt', {
      token: userToken,
      body: { plaintext: 'kept by the user' },
    });
    expect(handedOut.body.ciphertext).toMatch(/^v1\.1\./);
    const emailIndexes = await t.store.db
      .selectFrom('users')
      .select(['id', 'email_index'])
      .orderBy('id')
      .execute();
    const sealedBefore = await sealedKeyIds();
    expect(sealedBefore.length).toBe(6 * 2 + 1);
    expect(new Set(sealedBefore)).toEqual(new Set(['1']));

    const rotation = t.exchange.keyRotation;
    expect(await rotation.rotate()).toBe(2);
    const newcomer = await register(t, 'newcomer');
    const fresh = await new UsersRepo(t.store.db).findById(newcomer);
    expect(fresh?.email_enc).toMatch(/^v1\.2\./);
    expect(fresh?.full_name_enc).toMatch(/^v1\.2\./);
    const midway = await rotation.status();
    expect(midway).toMatchObject({ currentKeyId: 2, remaining: 13, sealedValues: 15 });
    expect(midway.keys.map((k) => [k.id, k.references])).toEqual([
      [1, 13],
      [2, 2],
    ]);

    const progress: number[] = [];
    const result = await rotation.reencrypt({ onProgress: (p) => progress.push(p.rewritten) });
    expect(result).toEqual({ rewritten: 13, skipped: 0 });
    expect(progress.at(-1)).toBe(13);
    expect(new Set(await sealedKeyIds())).toEqual(new Set(['2']));
    expect(await profiles(ids)).toEqual(before);
    // Blind indexes come from the master key: rotation leaves them as they were.
    expect(
      await t.store.db
        .selectFrom('users')
        .select(['id', 'email_index'])
        .orderBy('id')
        .where('id', '<=', ids.at(-1) ?? 0)
        .execute(),
    ).toEqual(emailIndexes);
    // Logins by username and by the MFA secret, the profile by token, all still work.
    clock += 60_000;
    const challenge = await signIn(t, 'user0');
    expect(challenge.mfa_required).toBe(true);
    const verified = await call(t, 'POST', '/api/auth/mfa/verify', {
      body: { mfa_token: challenge.mfa_token, code: totpCode({ secret }, clock) },
    });
    expect(verified.status).toBe(200);
    const me = await call(t, 'GET', '/api/auth/me', {
      token: (await signIn(t, 'user3')).access_token as string,
    });
    expect(me.body).toMatchObject({ email: 'user3@example.com', full_name: 'user3 Trader' });
    const taken = await call(t, 'POST', '/api/auth/register', {
      body: { username: 'other', email: 'USER2@example.com', password: PASSWORD, full_name: 'O' },
    });
    expect(taken.status).toBe(409);

    // Key 1 retires only once every node has had time to load key 2.
    expect(await rotation.retireUnused()).toEqual([]);
    clock += KEY_PICKUP_MS;
    expect(await rotation.retireUnused()).toEqual([1]);
    const after = await rotation.status();
    expect(after.keys[0]).toMatchObject({ id: 1, retiredAt: clock, references: 0 });
    expect(after.remaining).toBe(0);
    // A retired key never seals again, but still opens what users were handed.
    const opened = await call(t, 'POST', '/api/crypto/decrypt', {
      token: userToken,
      body: { ciphertext: handedOut.body.ciphertext },
    });
    expect(opened.body).toEqual({ plaintext: 'kept by the user' });

    // The rotated database still holds no plaintext email or name.
    const raw = await rawUserData(t.store, t.file);
    expect(raw).not.toContain('user3@example.com');
    expect(raw).not.toContain('user3 Trader');
    expect(raw).toContain('user3');
  });

  it('continues after a restart in the middle, losing nothing', async () => {
    const { ids } = await population(5);
    const before = await profiles(ids);
    await t.exchange.keyRotation.rotate();
    expect(await t.exchange.keyRotation.reencrypt({ limit: 4 })).toEqual({
      rewritten: 4,
      skipped: 0,
    });
    expect((await t.exchange.keyRotation.status()).remaining).toBe(7);

    t = await t.reopen();
    expect(await profiles(ids)).toEqual(before);
    const status = await t.exchange.keyRotation.status();
    expect(status).toMatchObject({ currentKeyId: 2, remaining: 7 });
    expect(await t.exchange.keyRotation.reencrypt()).toEqual({ rewritten: 7, skipped: 0 });
    expect(new Set(await sealedKeyIds())).toEqual(new Set(['2']));
    expect(await profiles(ids)).toEqual(before);
  });

  it('leaves a value changed during re-encryption to its writer (compare-and-swap)', async () => {
    const { ids } = await population(8);
    // user0 has MFA on; the others sign in with a password alone.
    const tokens = await Promise.all(
      ids.slice(1).map(async (_, i) => (await signIn(t, `user${i + 1}`)).access_token as string),
    );
    await t.exchange.keyRotation.rotate();
    const sealed = new SealedFieldsRepo(t.store.db);
    const row = await new UsersRepo(t.store.db).findById(ids[1] ?? 0);
    const stale = row?.full_name_enc ?? '';
    expect(await sealed.swap(ids[1] ?? 0, 'full_name_enc', 'v1.1.not-the-value', 'x')).toBe(false);
    expect((await new UsersRepo(t.store.db).findById(ids[1] ?? 0))?.full_name_enc).toBe(stale);

    // Profile edits racing the job: every edit survives, and everything ends under key 2.
    const edits = ids.slice(1).map((id, i) =>
      call(t, 'PATCH', '/api/auth/me', {
        token: tokens[i] ?? '',
        body: { full_name: `renamed ${id}` },
      }),
    );
    const [job] = await Promise.all([t.exchange.keyRotation.reencrypt(), ...edits]);
    expect(job.rewritten + job.skipped).toBeGreaterThan(0);
    await t.exchange.keyRotation.reencrypt();
    for (const id of ids.slice(1)) {
      expect((await t.exchange.identity.accounts.profile(id)).full_name).toBe(`renamed ${id}`);
    }
    expect(new Set(await sealedKeyIds())).toEqual(new Set(['2']));
  });

  it('picks up a key made by the CLI, and rotates by itself when the period is over', async () => {
    const { ids } = await population(3);
    const before = await profiles(ids);
    // What `npm run keys:rotate` does, on the same database, outside the server.
    const { keys } = ensureKeyMaterial(t.config);
    const cli = new KeyRotation({
      dataKeys: new DataKeysRepo(t.store.db),
      sealed: new SealedFieldsRepo(t.store.db),
      keyring: await openKeyring(t.store.db, keys.masterKey, clock),
      masterKey: keys.masterKey,
      rotationDays: t.config.encryptionKeyRotationDays,
      now: () => clock,
    });
    expect(await cli.rotate()).toBe(2);
    await t.exchange.keyRotation.tick();
    const id = await register(t, 'after-cli');
    expect((await new UsersRepo(t.store.db).findById(id))?.email_enc).toMatch(/^v1\.2\./);
    expect(new Set(await sealedKeyIds())).toEqual(new Set(['2']));

    clock += t.config.encryptionKeyRotationDays * 86_400_000;
    await t.exchange.keyRotation.tick();
    expect(new Set(await sealedKeyIds())).toEqual(new Set(['3']));
    expect(await profiles(ids)).toEqual(before);
    const status = await t.exchange.keyRotation.status();
    expect(status.keys.map((k) => [k.id, k.retiredAt !== null])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    clock += KEY_PICKUP_MS;
    await t.exchange.keyRotation.tick();
    const retired = await t.exchange.keyRotation.status();
    expect(retired.keys.map((k) => [k.id, k.retiredAt !== null])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect((await t.exchange.identity.accounts.profile(ids[0] ?? 0)).email).toBe(
      'user0@example.com',
    );
    expect(userFieldContext('mfa_secret_enc', 7)).toBe('users:7:mfa_secret');
  });

  it('shows administrators the keys and the progress, and nobody else', async () => {
    await population(2);
    const admin = await adminToken();
    const user = (await signIn(t, 'user1')).access_token as string;
    expect((await call(t, 'GET', '/api/admin/keys', { token: user })).status).toBe(403);
    expect((await call(t, 'POST', '/api/admin/keys/rotate', { token: user })).status).toBe(403);
    const rotated = await call(t, 'POST', '/api/admin/keys/rotate', { token: admin });
    expect(rotated.status).toBe(200);
    expect(rotated.body.current_key_id).toBe(2);
    const logged = await t.store.db
      .selectFrom('audit_log')
      .select('payload')
      .where('kind', '=', 'admin_action')
      .execute();
    expect(logged.map((l) => (JSON.parse(l.payload) as { data: unknown }).data)).toEqual([
      {
        action: 'rotate_data_key',
        actor: expect.any(Number) as number,
        details: {},
        target: 'data key 2',
      },
    ]);
    await t.exchange.keyRotation.tick();
    const view = await call(t, 'GET', '/api/admin/keys', { token: admin });
    expect(view.status).toBe(200);
    expect(view.body).toEqual({
      current_key_id: 2,
      next_rotation_at: new Date(clock + 90 * 86_400_000).toISOString(),
      keys: [
        { id: 1, created_at: expect.any(String) as string, retired_at: null, references: 0 },
        { id: 2, created_at: new Date(clock).toISOString(), retired_at: null, references: 7 },
      ],
      rotation: { in_progress: false, sealed_values: 7, done: 7, remaining: 0, unreadable: 0 },
    });
  });
});
