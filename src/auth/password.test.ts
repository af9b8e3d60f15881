import { describe, expect, it } from 'vitest';
import { DEFAULT_HASH_PARAMS, PasswordHasher } from './password.ts';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('stores argon2id in PHC format with m=19 MiB, t=2, p=1', async () => {
    const phc = await hasher.hash('correct horse battery staple');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(DEFAULT_HASH_PARAMS).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(await hasher.verify(phc, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(phc, 'correct horse battery stapl')).toBe(false);
    expect(hasher.needsRehash(phc)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same password')).not.toBe(await hasher.hash('same password'));
  });

  it('asks for a rehash when the parameters differ', async () => {
    const weak = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const old = await weak.hash('p');
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash('$pbkdf2-sha256$29000$abc$def')).toBe(true);
  });

  it('says false, never throws, for an unknown account or a malformed hash', async () => {
    expect(await hasher.verify(undefined, 'anything')).toBe(false);
    expect(await hasher.verify('not a hash', 'anything')).toBe(false);
  });
});
