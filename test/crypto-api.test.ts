// The crypto tools (/api/crypto) through the HTTP API, on SQLite.

import { createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey } from 'node:crypto';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER } from '../src/auth/access-tokens.ts';
import { call, signUp, type Reply } from './support/api.ts';
import { STARTING_CASH, openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';
import { REFERENCE_LEAVES, REFERENCE_ROOTS } from '../src/audit/merkle-vectors.ts';

/** The RFC 6962 reference leaves of ../shared/vectors/README.md, and the root of all eight. */
const VECTOR_LEAVES = [...REFERENCE_LEAVES];
const VECTOR_ROOT = REFERENCE_ROOTS[8];

const factory = storeFactories()[0];
if (factory === undefined) throw new Error('no store factory');

describe('crypto API on SQLite', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;

  function errorCode(reply: Reply): unknown {
    return (reply.body.error as { code?: unknown } | undefined)?.code;
  }

  beforeAll(async () => {
    t = await openTestApp(factory);
    alice = (await signUp(t, 'alice')).token;
    bob = (await signUp(t, 'bob')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('encrypt and decrypt', () => {
    it('round-trips for the same user', async () => {
      const plaintext = 'limit order at 101.25 — ünïcode ok';
      const sealed = await call(t, 'POST', '/api/crypto/encrypt', {
        token: alice,
        body: { plaintext },
      });
      expect(sealed.status).toBe(200);
      expect(sealed.body.ciphertext).not.toContain(plaintext);
      const opened = await call(t, 'POST', '/api/crypto/decrypt', {
        token: alice,
        body: { ciphertext: sealed.body.ciphertext },
      });
      expect(opened.status).toBe(200);
      expect(opened.body).toEqual({ plaintext });
    });

    it('takes the text as data, the name /sign takes, or as plaintext, but once', async () => {
      const sealed = await call(t, 'POST', '/api/crypto/encrypt', {
        token: alice,
        body: { data: 'sealed as data' },
      });
      expect(sealed.status).toBe(200);
      const opened = await call(t, 'POST', '/api/crypto/decrypt', {
        token: alice,
        body: { ciphertext: sealed.body.ciphertext },
      });
      expect(opened.body).toEqual({ plaintext: 'sealed as data' });
      for (const body of [{}, { data: 'a', plaintext: 'a' }]) {
        const refused = await call(t, 'POST', '/api/crypto/encrypt', { token: alice, body });
        expect(refused.status).toBe(400);
        expect(refused.body).toEqual({
          error: {
            code: 'VALIDATION_FAILED',
            message: 'send the text to encrypt as data (or plaintext), once',
          },
        });
      }
    });

    it("refuses another user's ciphertext and a tampered one with 400", async () => {
      const sealed = await call(t, 'POST', '/api/crypto/encrypt', {
        token: alice,
        body: { plaintext: 'for alice only' },
      });
      const ciphertext = sealed.body.ciphertext as string;
      const asBob = await call(t, 'POST', '/api/crypto/decrypt', {
        token: bob,
        body: { ciphertext },
      });
      expect(asBob.status).toBe(400);
      expect(errorCode(asBob)).toBe('DECRYPTION_FAILED');
      expect(JSON.stringify(asBob.body)).not.toContain('for alice');

      const last = ciphertext.at(-2) === 'A' ? 'B' : 'A';
      const tampered = `${ciphertext.slice(0, -2)}${last}${ciphertext.slice(-1)}`;
      const res = await call(t, 'POST', '/api/crypto/decrypt', {
        token: alice,
        body: { ciphertext: tampered },
      });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe('DECRYPTION_FAILED');

      const garbage = await call(t, 'POST', '/api/crypto/decrypt', {
        token: alice,
        body: { ciphertext: 'not an envelope' },
      });
      expect(garbage.status).toBe(400);
      expect(errorCode(garbage)).toBe('DECRYPTION_FAILED');
    });
    it("will not open a personal field sealed at rest, even the caller's own", async () => {
      const row = await t.store.db
        .selectFrom('users')
        .select(['email_enc'])
        .where('username', '=', 'alice')
        .executeTakeFirstOrThrow();
      const res = await call(t, 'POST', '/api/crypto/decrypt', {
        token: alice,
        body: { ciphertext: row.email_enc },
      });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe('DECRYPTION_FAILED');
      expect(JSON.stringify(res.body)).not.toContain('alice@example.com');
    });
  });

  describe('sign and verify', () => {
    it('verifies its own signatures, and not over altered data', async () => {
      const signed = await call(t, 'POST', '/api/crypto/sign', {
        token: alice,
        body: { data: 'transfer 10 AAPL' },
      });
      expect(signed.status).toBe(200);
      expect(signed.body).toMatchObject({ algorithm: 'ES256', format: 'p1363' });
      expect(Buffer.from(signed.body.signature as string, 'base64')).toHaveLength(64);
      expect(signed.body.key_id).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const check = (data: string): Promise<Reply> =>
        call(t, 'POST', '/api/crypto/verify', {
          token: bob,
          body: { data, signature: signed.body.signature },
        });
      expect((await check('transfer 10 AAPL')).body).toEqual({ valid: true });
      expect((await check('transfer 99 AAPL')).body).toEqual({ valid: false });
    });

    it('signs and verifies in DER and with hex data', async () => {
      const body = { data: 'deadbeef', encoding: 'hex', format: 'der' };
      const signed = await call(t, 'POST', '/api/crypto/sign', { token: alice, body });
      expect(signed.status).toBe(200);
      expect(signed.body.format).toBe('der');
      expect(Buffer.from(signed.body.signature as string, 'base64')[0]).toBe(0x30);
      const ok = await call(t, 'POST', '/api/crypto/verify', {
        token: alice,
        body: { ...body, signature: signed.body.signature },
      });
      expect(ok.body).toEqual({ valid: true });
      const asP1363 = await call(t, 'POST', '/api/crypto/verify', {
        token: alice,
        body: { ...body, format: 'p1363', signature: signed.body.signature },
      });
      expect(asP1363.body).toEqual({ valid: false });
    });

    it('verifies with a caller-supplied JWK or PEM, and refuses bad keys', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const data = 'signed on my own machine';
      const signature = sign('sha256', Buffer.from(data), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64');
      const jwk = publicKey.export({ format: 'jwk' });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      for (const public_key of [jwk, pem]) {
        const res = await call(t, 'POST', '/api/crypto/verify', {
          token: alice,
          body: { data, signature, public_key },
        });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ valid: true });
      }
      // The server's key did not make this signature.
      const serverKey = await call(t, 'POST', '/api/crypto/verify', {
        token: alice,
        body: { data, signature },
      });
      expect(serverKey.body).toEqual({ valid: false });

      const privateJwk = privateKey.export({ format: 'jwk' });
      for (const public_key of ['not a key', privateJwk, { ...jwk, x: 'AAAA' }]) {
        const res = await call(t, 'POST', '/api/crypto/verify', {
          token: alice,
          body: { data, signature, public_key },
        });
        expect(res.status).toBe(400);
        expect(errorCode(res)).toBe('INVALID_PUBLIC_KEY');
      }
    });

    it('refuses malformed encodings with 400 naming the field', async () => {
      const badHex = await call(t, 'POST', '/api/crypto/sign', {
        token: alice,
        body: { data: 'abc', encoding: 'hex' },
      });
      expect(badHex.status).toBe(400);
      expect(errorCode(badHex)).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(badHex.body)).toContain('data');
      const badSignature = await call(t, 'POST', '/api/crypto/verify', {
        token: alice,
        body: { data: 'x', signature: '!!not base64!!' },
      });
      expect(badSignature.status).toBe(400);
      expect(JSON.stringify(badSignature.body)).toContain('signature');
    });
  });

  it('publishes only public keys', async () => {
    const res = await call(t, 'GET', '/api/crypto/public-keys', { token: alice });
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('PRIVATE');
    expect(text).not.toContain('"d"');
    expect(res.body).toMatchObject({
      ecdsa: { jwk: { kty: 'EC', crv: 'P-256' } },
      rsa: { pem: expect.stringContaining('BEGIN PUBLIC KEY') as unknown },
    });
  });

  // Issue 12, finding 1: /api/crypto/sign signed with the access-token key, so any user could
  // sign `header.payload` of an administrator's token and use it.
  describe('the signing key is not one the exchange trusts', () => {
    const b64url = (value: unknown): string =>
      Buffer.from(JSON.stringify(value)).toString('base64url');

    async function tokenKeys(): Promise<{ kid: string; jwk: JsonWebKey }[]> {
      const jwks = await call(t, 'GET', '/.well-known/jwks.json');
      return (jwks.body.keys as (JsonWebKey & { kid: string })[]).map((jwk) => ({
        kid: jwk.kid,
        jwk,
      }));
    }

    it('refuses an administrator token a user had /api/crypto/sign sign, and credits nothing', async () => {
      const admin = await signUp(t, 'oracle_admin', { admin: true });
      const mallory = await signUp(t, 'oracle_mallory');
      const [{ kid } = { kid: '' }] = await tokenKeys();
      const now = Math.floor(Date.now() / 1000);
      const signingInput = `${b64url({ alg: 'ES256', typ: 'at+jwt', kid })}.${b64url({
        iss: ISSUER,
        aud: AUDIENCE,
        sub: String(admin.id),
        role: 'admin',
        sid: decodeJwt(admin.token).sid,
        jti: 'forged',
        iat: now,
        exp: now + 10 * 365 * 86_400,
      })}`;
      const signed = await call(t, 'POST', '/api/crypto/sign', {
        token: mallory.token,
        body: { data: signingInput },
      });
      expect(signed.status).toBe(200);
      const signature = Buffer.from(signed.body.signature as string, 'base64').toString(
        'base64url',
      );
      const forged = `${signingInput}.${signature}`;

      const adjust = await call(t, 'POST', `/api/admin/users/${mallory.id}/adjust`, {
        token: forged,
        body: { asset: 'INR', amount: '1000000', reason: 'forged' },
      });
      expect(adjust.status).toBe(401);
      const cash = await t.store.db
        .selectFrom('balances')
        .select(['available', 'held'])
        .where('user_id', '=', mallory.id)
        .where('asset', '=', 'INR')
        .executeTakeFirstOrThrow();
      expect(cash).toEqual({ available: STARTING_CASH, held: 0 });
    });

    it('gives signatures that verify under no access-token key, for any data', async () => {
      const keys = await tokenKeys();
      const kids = keys.map((k) => k.kid);
      const publicKeys = keys.map((k) => createPublicKey({ key: k.jwk, format: 'jwk' }));
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 200 }), async (data) => {
          const signed = await call(t, 'POST', '/api/crypto/sign', {
            token: alice,
            body: { data },
          });
          expect(signed.status).toBe(200);
          expect(kids).not.toContain(signed.body.key_id);
          const signature = Buffer.from(signed.body.signature as string, 'base64');
          for (const key of publicKeys) {
            const ok = verify(
              'sha256',
              Buffer.from(data),
              { key, dsaEncoding: 'ieee-p1363' },
              signature,
            );
            expect(ok).toBe(false);
          }
        }),
        { numRuns: 25 },
      );
      const published = await call(t, 'GET', '/api/crypto/public-keys', { token: alice });
      const cryptoKey = (published.body.ecdsa as { jwk: { x: string } }).jwk;
      expect(keys.map((k) => k.jwk.x)).not.toContain(cryptoKey.x);
    });
  });

  describe('Merkle trees', () => {
    it('builds the RFC 6962 vector tree', async () => {
      const res = await call(t, 'POST', '/api/crypto/merkle/build', {
        token: alice,
        body: { data: VECTOR_LEAVES, encoding: 'hex' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ root_hash: VECTOR_ROOT, leaf_count: 8, node_count: 15 });
      const levels = res.body.levels as { hash: string; start: number; end: number }[][];
      expect(levels.map((level) => level.length)).toEqual([8, 4, 2, 1]);
      expect(levels.at(-1)?.[0]).toEqual({ hash: VECTOR_ROOT, start: 0, end: 8 });
    });

    it('counts 2n - 1 nodes for a tree that is not a power of two', async () => {
      const res = await call(t, 'POST', '/api/crypto/merkle/build', {
        token: alice,
        body: { data: VECTOR_LEAVES.slice(0, 5), encoding: 'hex' },
      });
      expect(res.body).toMatchObject({
        root_hash: '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
        node_count: 9,
      });
    });

    it('proves every leaf, and the proofs fail against a wrong root', async () => {
      for (let index = 0; index < VECTOR_LEAVES.length; index += 1) {
        const proof = await call(t, 'POST', '/api/crypto/merkle/proof', {
          token: alice,
          body: { data: VECTOR_LEAVES, encoding: 'hex', index },
        });
        expect(proof.status).toBe(200);
        expect(proof.body).toMatchObject({ index, root_hash: VECTOR_ROOT, tree_size: 8 });
        const base = {
          index,
          tree_size: 8,
          proof: proof.body.proof,
          root_hash: VECTOR_ROOT,
        };
        const byLeaf = await call(t, 'POST', '/api/crypto/merkle/verify', {
          token: alice,
          body: { ...base, leaf: VECTOR_LEAVES[index], encoding: 'hex' },
        });
        const verified = {
          valid: true,
          message: 'Proof verified successfully',
          index_checked: true,
        };
        expect(byLeaf.body).toEqual(verified);
        const byHash = await call(t, 'POST', '/api/crypto/merkle/verify', {
          token: alice,
          body: { ...base, leaf_hash: proof.body.leaf_hash },
        });
        expect(byHash.body).toEqual(verified);
        const wrongRoot = await call(t, 'POST', '/api/crypto/merkle/verify', {
          token: alice,
          body: { ...base, leaf_hash: proof.body.leaf_hash, root_hash: 'ab'.repeat(32) },
        });
        expect(wrongRoot.body).toEqual({
          valid: false,
          message: 'Proof not valid: the proof does not lead from the leaf to the root',
          reason: 'the proof does not lead from the leaf to the root',
          index_checked: false,
        });
      }
    });

    it('reads leaves as UTF-8 without an encoding, and verifies without the tree size', async () => {
      const data = ['tx1', 'tx2', 'tx3', 'tx4', 'tx5'];
      const built = await call(t, 'POST', '/api/crypto/merkle/build', {
        token: alice,
        body: { data },
      });
      const asUtf8 = await call(t, 'POST', '/api/crypto/merkle/build', {
        token: alice,
        body: { data, encoding: 'utf8' },
      });
      expect(built.status).toBe(200);
      expect(built.body).toEqual(asUtf8.body);
      expect(built.body.tree_structure).toEqual(
        (built.body.levels as { hash: string }[][]).map((level) => level.map((n) => n.hash)),
      );
      for (const [index, checked] of [
        [0, true],
        [3, true],
        [4, false],
      ] as const) {
        const proof = await call(t, 'POST', '/api/crypto/merkle/proof', {
          token: alice,
          body: { data, index },
        });
        expect(proof.body).toMatchObject({
          leaf: data[index],
          index,
          root_hash: built.body.root_hash,
        });
        const verified = await call(t, 'POST', '/api/crypto/merkle/verify', {
          token: alice,
          body: {
            leaf: data[index],
            proof: proof.body.proof,
            root_hash: built.body.root_hash,
            index,
          },
        });
        expect(verified.status).toBe(200);
        expect(verified.body).toMatchObject({ valid: true, index_checked: checked });
        expect(verified.body.message).toMatch(/^Proof verified/);
        const wrongLeaf = await call(t, 'POST', '/api/crypto/merkle/verify', {
          token: alice,
          body: { leaf: 'tx9', proof: proof.body.proof, root_hash: built.body.root_hash, index },
        });
        expect(wrongLeaf.body).toMatchObject({
          valid: false,
          message: 'Proof not valid: the proof does not lead from the leaf to the root',
        });
      }
    });

    it('refuses an index outside the tree and malformed hex with 400', async () => {
      const outside = await call(t, 'POST', '/api/crypto/merkle/proof', {
        token: alice,
        body: { data: VECTOR_LEAVES, encoding: 'hex', index: 8 },
      });
      expect(outside.status).toBe(400);
      const badLeaf = await call(t, 'POST', '/api/crypto/merkle/build', {
        token: alice,
        body: { data: ['00', 'zz'], encoding: 'hex' },
      });
      expect(badLeaf.status).toBe(400);
      expect(JSON.stringify(badLeaf.body)).toContain('data[1]');
      const badProof = await call(t, 'POST', '/api/crypto/merkle/verify', {
        token: alice,
        body: { leaf_hash: 'xy', index: 0, tree_size: 1, proof: [], root_hash: VECTOR_ROOT },
      });
      expect(badProof.status).toBe(400);
      expect(errorCode(badProof)).toBe('VALIDATION_FAILED');
    });
  });

  it('answers 401 without a token', async () => {
    const calls: [method: 'GET' | 'POST', url: string, body?: unknown][] = [
      ['POST', '/api/crypto/encrypt', { plaintext: 'x' }],
      ['POST', '/api/crypto/decrypt', { ciphertext: 'x' }],
      ['POST', '/api/crypto/sign', { data: 'x' }],
      ['POST', '/api/crypto/verify', { data: 'x', signature: 'AA==' }],
      ['GET', '/api/crypto/public-keys'],
      ['POST', '/api/crypto/merkle/build', { data: ['x'], encoding: 'utf8' }],
      ['POST', '/api/crypto/merkle/proof', { data: ['x'], encoding: 'utf8', index: 0 }],
      ['POST', '/api/crypto/merkle/verify', { leaf_hash: VECTOR_ROOT }],
    ];
    for (const [method, url, body] of calls) {
      const res = await call(t, method, url, body === undefined ? {} : { body });
      expect(res.status, url).toBe(401);
    }
  });
});
