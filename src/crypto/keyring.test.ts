import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, KeyringError, newDataKey } from './keyring.ts';

const master = randomBytes(32);

describe('Keyring', () => {
  it('seals with the newest data key and opens any known one', () => {
    const k1 = newDataKey(master, 1);
    const old = new Keyring(master, [k1]);
    const sealed = old.seal('users:7:email', 'a@example.com');
    const k2 = newDataKey(master, 2);
    const rotated = new Keyring(master, [k1, k2]);
    expect(rotated.currentKeyId).toBe(2);
    expect(rotated.seal('users:7:email', 'b@example.com')).toMatch(/^v1\.2\./);
    expect(rotated.open('users:7:email', sealed)).toEqual({ ok: true, plaintext: 'a@example.com' });
  });

  it('loads a key added elsewhere: seals with it, still opens with the old ones', () => {
    const k1 = newDataKey(master, 1);
    const ring = new Keyring(master, [k1]);
    const old = ring.seal('users:7:email', 'a@example.com');
    ring.load([k1, newDataKey(master, 2)]);
    expect(ring.currentKeyId).toBe(2);
    expect(ring.seal('users:7:email', 'a@example.com')).toMatch(/^v1\.2\./);
    expect(ring.openOwn('users:7:email', old)).toBe('a@example.com');
    expect(() => ring.load([newDataKey(randomBytes(32), 3)])).toThrow(KeyringError);
    expect(ring.currentKeyId).toBe(2);
  });

  it('binds a ciphertext to its record and field', () => {
    const ring = new Keyring(master, [newDataKey(master, 1)]);
    const sealed = ring.seal('users:7:email', 'a@example.com');
    expect(ring.open('users:8:email', sealed)).toEqual({ ok: false, code: 'auth-failed' });
    expect(ring.open('users:7:full_name', sealed)).toEqual({ ok: false, code: 'auth-failed' });
    expect(() => ring.openOwn('users:8:email', sealed)).toThrow(KeyringError);
  });

  it('refuses data keys wrapped by another master key', () => {
    const wrapped = newDataKey(randomBytes(32), 1);
    expect(() => new Keyring(master, [wrapped])).toThrow(/does not open with this master key/);
    expect(() => new Keyring(master, [])).toThrow(KeyringError);
  });

  it('gives a stable blind index per purpose, different across purposes and master keys', () => {
    const ring = new Keyring(master, [newDataKey(master, 1)]);
    const again = new Keyring(master, [newDataKey(master, 2)]);
    const otherMaster = randomBytes(32);
    const other = new Keyring(otherMaster, [newDataKey(otherMaster, 1)]);
    expect(ring.blindIndex('email', 'a@example.com')).toBe(
      again.blindIndex('email', 'a@example.com'),
    );
    expect(ring.blindIndex('email', 'a@example.com')).not.toBe(
      ring.blindIndex('phone', 'a@example.com'),
    );
    expect(ring.blindIndex('email', 'a@example.com')).toMatch(/^[0-9a-f]{64}$/);
    expect(other.blindIndex('email', 'a@example.com')).not.toBe(
      ring.blindIndex('email', 'a@example.com'),
    );
  });
});
