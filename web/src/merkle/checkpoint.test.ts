// The browser's tree head check against heads signed by the server's own code
// (src/audit/tree-head.ts), and the DER to P1363 signature conversion it depends on.
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointNote, keyIdOf, signTreeHead } from '../../../src/audit/tree-head.ts';
import { checkTreeHead, derToP1363, type HeadFields } from './checkpoint.ts';
import { flipBit } from './verify.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function signedHead(size: number): HeadFields {
  const head = signTreeHead(
    { treeSize: size, rootHash: Buffer.alloc(32, size), timestamp: 1_790_000_000_000 + size },
    key,
  );
  return {
    tree_size: head.treeSize,
    root_hash: head.rootHash.toString('hex'),
    timestamp: head.timestamp,
    key_id: keyIdOf(key.publicKey),
    signature: head.signature,
    checkpoint: checkpointNote(head),
    public_key: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

describe('derToP1363', () => {
  it('converts signatures that node verifies as P1363, whatever their integer lengths', () => {
    const message = Buffer.from('checkpoint');
    for (let i = 0; i < 300; i++) {
      const der = sign('sha256', message, { key: key.privateKey, dsaEncoding: 'der' });
      const raw = derToP1363(der);
      expect(raw?.length).toBe(64);
      const ok = verify(
        'sha256',
        message,
        { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
        raw ?? new Uint8Array(),
      );
      expect(ok).toBe(true);
    }
  });

  it('pads short integers and refuses malformed DER', () => {
    const raw = derToP1363(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07]));
    expect(raw?.[31]).toBe(5);
    expect(raw?.[63]).toBe(7);
    expect(raw?.slice(0, 31).every((b) => b === 0)).toBe(true);
    // Wrong outer length, trailing byte, negative integer, integer longer than 32 bytes.
    expect(derToP1363(Uint8Array.from([0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07]))).toBe(
      undefined,
    );
    expect(
      derToP1363(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0x00])),
    ).toBe(undefined);
    expect(derToP1363(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x07]))).toBe(
      undefined,
    );
    const long = [0x02, 0x21, 0x01, ...new Array<number>(32).fill(1)];
    expect(derToP1363(Uint8Array.from([0x30, long.length + 3, ...long, 0x02, 0x01, 0x07]))).toBe(
      undefined,
    );
  });
});

describe('checkTreeHead', () => {
  it('verifies a head the server signed, its key id and its note', async () => {
    expect(await checkTreeHead(signedHead(7))).toMatchObject({
      signature: true,
      keyId: true,
      note: true,
    });
  });

  it('refuses a head whose size, root or timestamp was changed after signing', async () => {
    const head = signedHead(9);
    expect((await checkTreeHead({ ...head, tree_size: 10 })).signature).toBe(false);
    expect((await checkTreeHead({ ...head, root_hash: flipBit(head.root_hash) })).signature).toBe(
      false,
    );
    expect((await checkTreeHead({ ...head, timestamp: head.timestamp + 1 })).signature).toBe(false);
  });

  it('refuses a signature from another key and garbage without throwing', async () => {
    const head = signedHead(3);
    const other = signedHead(3);
    other.public_key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(await checkTreeHead(other)).toMatchObject({ signature: false, keyId: false });
    expect((await checkTreeHead({ ...head, signature: '!!' })).signature).toBe(false);
    expect((await checkTreeHead({ ...head, public_key: 'nonsense' })).signature).toBe(false);
  });
});
