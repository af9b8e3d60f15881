// Signed tree heads in the C2SP checkpoint layout: origin, size, base64 root and one extension
// line with the time, each ending in a newline. The signature is ECDSA P-256 over SHA-256 of
// exactly those bytes, DER-encoded; the key id is the first 8 bytes of SHA-256(SPKI DER), hex.

import { createHash, type KeyObject } from 'node:crypto';
import { signP256, verifyP256 } from '../crypto/ecdsa.ts';
import { HASH_BYTES } from './merkle.ts';

export const AUDIT_ORIGIN = 'secure-stock-exchange/audit-log';

export interface TreeHead {
  readonly treeSize: number;
  readonly rootHash: Buffer;
  /** Epoch milliseconds when the head was signed. */
  readonly timestamp: number;
}

export interface SignedTreeHead extends TreeHead {
  readonly keyId: string;
  /** Base64 DER ECDSA signature over {@link checkpointBody}. */
  readonly signature: string;
}

export function checkpointBody(head: TreeHead): string {
  return (
    `${AUDIT_ORIGIN}\n${head.treeSize}\n${head.rootHash.toString('base64')}\n` +
    `timestamp ${head.timestamp}\n`
  );
}

/** The checkpoint as a signed note: body, a blank line, then `— <origin> <keyid> <signature>`. */
export function checkpointNote(head: SignedTreeHead): string {
  return `${checkpointBody(head)}\n\u2014 ${AUDIT_ORIGIN} ${head.keyId} ${head.signature}\n`;
}

export function keyIdOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest().subarray(0, 8).toString('hex');
}

export function signTreeHead(
  head: TreeHead,
  key: { privateKey: KeyObject; publicKey: KeyObject },
): SignedTreeHead {
  const signature = signP256(key.privateKey, Buffer.from(checkpointBody(head), 'utf8'), 'der');
  return { ...head, keyId: keyIdOf(key.publicKey), signature: signature.toString('base64') };
}

/** Never throws: false for a wrong key id, a malformed signature or a root of the wrong size. */
export function verifyTreeHead(head: SignedTreeHead, publicKey: KeyObject): boolean {
  if (head.rootHash.length !== HASH_BYTES || head.keyId !== keyIdOf(publicKey)) return false;
  const body = Buffer.from(checkpointBody(head), 'utf8');
  return verifyP256(publicKey, body, Buffer.from(head.signature, 'base64'), 'der');
}
