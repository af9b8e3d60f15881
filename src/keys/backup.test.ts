import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newDataKey } from '../crypto/keyring.ts';
import { SCRYPT_MINIMUM } from '../crypto/passphrase.ts';
import { BackupError, checkBackup, openBackup, sealBackup, type BackupContents } from './backup.ts';

const master = randomBytes(32);
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const contents: BackupContents = {
  master_key: master.toString('base64'),
  data_keys: [1, 2].map((id) => ({
    ...newDataKey(master, id),
    created_at: id * 1000,
    retired_at: id === 1 ? 5000 : null,
  })),
  files: [{ name: 'ecdsa-p256.pem', contents: pem }],
};
const PASS = 'four random words here';
const NOW = Date.UTC(2026, 10, 22, 19, 0, 0);
const text = sealBackup(contents, PASS, { now: NOW, params: SCRYPT_MINIMUM });

describe('key backup file', () => {
  it('round-trips, with format, version, date and KDF cost in the clear and no key material', () => {
    const file = JSON.parse(text) as Record<string, unknown>;
    expect(file).toMatchObject({
      format: 'sse-key-backup',
      version: 1,
      created_at: '2026-11-22T19:00:00.000Z',
      kdf: { name: 'scrypt', N: 32768, r: 8, p: 1 },
      cipher: { name: 'aes-256-gcm' },
    });
    expect(text).not.toContain(contents.master_key);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(contents.data_keys[0]?.wrapped ?? '?');
    expect(openBackup(text, PASS)).toEqual(contents);
    expect(checkBackup(openBackup(text, PASS))).toBe(
      'master key opens data keys 1, 2; key files: ecdsa-p256.pem',
    );
  });

  it('says clearly when the passphrase is wrong or the file was modified', () => {
    const failure = /wrong passphrase, or the file was modified/;
    expect(() => openBackup(text, 'four random words HERE')).toThrow(failure);
    const file = JSON.parse(text) as Record<string, unknown>;
    const ciphertext = Buffer.from(file.ciphertext as string, 'base64');
    ciphertext[10] = (ciphertext[10] ?? 0) ^ 0x20;
    for (const changed of [
      { ...file, ciphertext: ciphertext.toString('base64') },
      { ...file, created_at: '2026-11-23T19:00:00.000Z' },
      { ...file, kdf: { ...(file.kdf as object), N: 65536 } },
    ]) {
      expect(() => openBackup(JSON.stringify(changed), PASS)).toThrow(failure);
    }
    expect(() =>
      openBackup(JSON.stringify({ ...file, kdf: { ...(file.kdf as object), N: 1024 } }), PASS),
    ).toThrow(/weaker than allowed/);
    expect(() => openBackup(JSON.stringify({ ...file, version: 2 }), PASS)).toThrow(
      /version 2 is not supported/,
    );
    expect(() => openBackup('{"hello":1}', PASS)).toThrow(/not a sse-key-backup file/);
    expect(() => openBackup('garbage', PASS)).toThrow(BackupError);
  });

  it('refuses an empty or short passphrase', () => {
    for (const weak of ['', 'short', 'elevenchars']) {
      expect(() => sealBackup(contents, weak, { now: NOW, params: SCRYPT_MINIMUM })).toThrow(
        /at least 12 characters/,
      );
    }
  });

  it('checks that the master key opens every data key and every file is a private key', () => {
    const otherMaster = randomBytes(32).toString('base64');
    expect(() => checkBackup({ ...contents, master_key: otherMaster })).toThrow(
      /data key 1 does not open/,
    );
    expect(() =>
      checkBackup({ ...contents, files: [{ name: 'rsa-2048.pem', contents: 'not a key' }] }),
    ).toThrow(/rsa-2048.pem in the backup is not a private key/);
  });
});
