import { createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  P256KeyError,
  parseP256PublicKey,
  signP256,
  verifyP256,
  type P256PublicKeyInput,
  type SignatureEncoding,
} from './ecdsa.ts';
import {
  hexField,
  loadWycheproof,
  stringField,
  type WycheproofGroup,
} from './wycheproof-vectors.ts';

/** Every key form a group offers: PEM and DER always, JWK in the P1363 file. */
function groupKeys(group: WycheproofGroup): P256PublicKeyInput[] {
  const pem = stringField(group.fields, 'publicKeyPem');
  const parsed = parseP256PublicKey(pem);
  if (!parsed.ok) throw new Error(`vector key refused: ${parsed.message}`);
  const der = createPublicKey({
    key: hexField(group.fields, 'publicKeyDer'),
    format: 'der',
    type: 'spki',
  });
  const keys: P256PublicKeyInput[] = [parsed.key, pem, der];
  const jwk = group.fields['publicKeyJwk'];
  if (typeof jwk === 'object' && jwk !== null) keys.push(jwk as JsonWebKey);
  return keys;
}

describe.each<[string, SignatureEncoding, number]>([
  ['ecdsa_secp256r1_sha256_test.json', 'der', 450],
  ['ecdsa_secp256r1_sha256_p1363_test.json', 'p1363', 250],
])('verifyP256 against Wycheproof %s (%s)', (file, encoding, minimum) => {
  const groups = loadWycheproof(file);
  const cases = groups.flatMap((group) => group.tests.map((test) => ({ group, test })));

  it(`checks ${cases.length} cases with every key form offered`, () => {
    const failures: string[] = [];
    let verifications = 0;
    for (const group of groups) {
      const keys = groupKeys(group);
      for (const test of group.tests) {
        const msg = hexField(test.fields, 'msg');
        const sig = hexField(test.fields, 'sig');
        for (const key of keys) {
          const verdict = verifyP256(key, msg, sig, encoding);
          verifications += 1;
          const ok = test.result === 'valid' ? verdict : test.result === 'invalid' && !verdict;
          if (!ok) failures.push(`tcId ${test.tcId} (${test.comment})`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(minimum);
    expect(verifications).toBeGreaterThanOrEqual(cases.length * 3);
    expect(cases.filter(({ test }) => test.result === 'invalid').length).toBeGreaterThan(50);
    // This vector set has no `acceptable` ECDSA cases; a new set adding some needs a decision.
    expect(cases.filter(({ test }) => test.result === 'acceptable')).toEqual([]);
  });
});

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p256Jwk = p256.publicKey.export({ format: 'jwk' });
const p256Pem = p256.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('signP256 / verifyP256', () => {
  const encodings: SignatureEncoding[] = ['der', 'p1363'];

  it('round-trips in both encodings and rejects altered messages and signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(...encodings),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (message, encoding, position, bit) => {
          const signature = signP256(p256.privateKey, message, encoding);
          if (encoding === 'p1363') expect(signature).toHaveLength(64);
          else expect(signature[0]).toBe(0x30);
          expect(verifyP256(p256.publicKey, message, signature, encoding)).toBe(true);

          const otherMessage = Buffer.concat([message, Buffer.from([0])]);
          expect(verifyP256(p256.publicKey, otherMessage, signature, encoding)).toBe(false);

          const tampered = Buffer.from(signature);
          const index = position % tampered.length;
          tampered[index] = (tampered[index] ?? 0) ^ (1 << bit);
          expect(verifyP256(p256.publicKey, message, tampered, encoding)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects a signature presented in the other encoding', () => {
    const message = Buffer.from('GET /api/orders');
    const der = signP256(p256.privateKey, message, 'der');
    const raw = signP256(p256.privateKey, message, 'p1363');
    expect(verifyP256(p256.publicKey, message, der, 'p1363')).toBe(false);
    expect(verifyP256(p256.publicKey, message, raw, 'der')).toBe(false);
    expect(verifyP256(p256.publicKey, message, Buffer.alloc(0), 'der')).toBe(false);
    expect(verifyP256(p256.publicKey, message, Buffer.alloc(0), 'p1363')).toBe(false);
  });

  it('verifies with PEM, JWK object, JWK JSON and KeyObject forms of one key', () => {
    const message = Buffer.from('body');
    const signature = signP256(p256.privateKey, message, 'p1363');
    const pkcs8 = p256.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const fromPem = signP256(pkcs8, message, 'der');
    for (const key of [p256.publicKey, p256Pem, p256Jwk, JSON.stringify(p256Jwk)]) {
      expect(verifyP256(key, message, signature, 'p1363')).toBe(true);
      expect(verifyP256(key, message, fromPem, 'der')).toBe(true);
    }
  });

  it('throws P256KeyError for keys that are not P-256 or of the wrong kind', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const message = Buffer.from('m');
    const cases: [() => unknown, string][] = [
      [() => signP256(p384.privateKey, message, 'der'), 'not-p256'],
      [() => signP256(rsa.privateKey, message, 'der'), 'not-p256'],
      [() => signP256(p256.publicKey, message, 'der'), 'not-p256'],
      [() => signP256('not a pem', message, 'der'), 'malformed'],
      [() => verifyP256(p384.publicKey, message, Buffer.alloc(64), 'p1363'), 'not-p256'],
      [() => verifyP256(rsa.publicKey, message, Buffer.alloc(64), 'p1363'), 'not-p256'],
      [() => verifyP256(p256.privateKey, message, Buffer.alloc(64), 'p1363'), 'private-key'],
    ];
    for (const [call, code] of cases) {
      expect(call).toThrow(P256KeyError);
      expect(call).toThrow(expect.objectContaining({ code }) as Error);
    }
  });
});

describe('parseP256PublicKey', () => {
  function codeOf(input: string | JsonWebKey): string {
    const result = parseP256PublicKey(input);
    return result.ok ? 'ok' : result.code;
  }
  const publicOf = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

  it('accepts SPKI PEM (with surrounding whitespace), a JWK object and JWK JSON', () => {
    for (const input of [p256Pem, `\n  ${p256Pem}  \n`, p256Jwk, JSON.stringify(p256Jwk)]) {
      const result = parseP256PublicKey(input);
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.key.equals(p256.publicKey)).toBe(true);
    }
    expect(codeOf({ ...p256Jwk, alg: 'ES256', use: 'sig', kid: 'bot-1' })).toBe('ok');
  });

  it('refuses private keys, telling the user so', () => {
    const pkcs8 = p256.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const sec1 = p256.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    expect(codeOf(pkcs8)).toBe('private-key');
    expect(codeOf(sec1)).toBe('private-key');
    expect(codeOf(p256.privateKey.export({ format: 'jwk' }))).toBe('private-key');
  });

  it('refuses keys of other types and curves', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const k256 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    expect(codeOf(publicOf(p384.publicKey))).toBe('not-p256');
    expect(codeOf(publicOf(k256.publicKey))).toBe('not-p256');
    expect(codeOf(publicOf(rsa.publicKey))).toBe('not-p256');
    expect(codeOf(publicOf(ed.publicKey))).toBe('not-p256');
    expect(codeOf(p384.publicKey.export({ format: 'jwk' }))).toBe('not-p256');
    expect(codeOf(rsa.publicKey.export({ format: 'jwk' }))).toBe('not-p256');
    expect(codeOf({ ...p256Jwk, crv: 'secp256k1' })).toBe('not-p256');
    expect(codeOf({ ...p256Jwk, alg: 'ES384' })).toBe('not-p256');
  });

  it('refuses malformed input and points off the curve', () => {
    const x = Buffer.from(p256Jwk.x ?? '', 'base64url');
    x[31] = (x[31] ?? 0) ^ 1;
    const inputs: (string | JsonWebKey)[] = [
      '',
      'garbage',
      '{not json',
      '[]',
      p256Pem.replace('MFkw', 'MFkx'),
      `${p256Pem}${p256Pem}`,
      p256Pem.replace('PUBLIC KEY', 'CERTIFICATE'),
      { ...p256Jwk, x: x.toString('base64url') },
      { ...p256Jwk, x: (p256Jwk.x ?? '').slice(0, 42) },
      { ...p256Jwk, y: undefined },
      JSON.stringify({ ...p256Jwk, y: 5 }),
      { ...p256Jwk, x: `${p256Jwk.x ?? ''}=` },
    ];
    for (const input of inputs) expect(codeOf(input)).toBe('malformed');
  });
});
