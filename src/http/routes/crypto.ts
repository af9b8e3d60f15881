// /api/crypto: encryption for the caller alone, ES256 signatures with the crypto API's own key,
// the public keys, and RFC 6962 Merkle trees. Thin: decode and check input, call src/crypto or
// src/audit/merkle, shape the reply. Every route needs a signed-in user.
// Any user can make /sign sign any bytes, so its key is one the exchange trusts for nothing: the
// plugin is never given the access-token or audit keys.

import { createHash, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuditLog } from '../../audit/log.ts';
import {
  consistencyPath,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  rootFromLeafHashes,
  treeLevels,
  verifyConsistency,
} from '../../audit/merkle.ts';
import { checkInclusion } from '../../audit/inclusion-check.ts';
import { parseP256PublicKey, signP256, verifyP256 } from '../../crypto/index.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { ApiError } from '../../errors.ts';
import type { KeyPair } from '../../store/key-files.ts';
import { principalOf } from '../access.ts';
import { AUTHENTICATED_ERRORS, ErrorReply } from '../schemas/common.ts';
import {
  DecryptBody,
  DecryptReply,
  EncryptBody,
  EncryptReply,
  LEAF_MAX_BYTES,
  MERKLE_BODY_LIMIT,
  MESSAGE_MAX_BYTES,
  MerkleBuildBody,
  MerkleBuildReply,
  MerkleProofBody,
  MerkleProofReply,
  MerkleVerifyBody,
  MerkleVerifyReply,
  ConsistencyReply,
  ConsistencyVerifyBody,
  IntegrityReply,
  MerkleConsistencyBody,
  PublicKeysReply,
  StructureQuery,
  StructureReply,
  SignBody,
  SignReply,
  ValidReply,
  VerifyBody,
} from '../schemas/crypto.ts';

type Encoding = 'utf8' | 'hex' | 'base64';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes `value`; malformed hex or base64, or too many bytes, is a 400 naming `field`. */
export function decode(value: string, encoding: Encoding, field: string, maxBytes: number): Buffer {
  let bytes: Buffer;
  if (encoding === 'hex') {
    if (!HEX.test(value)) {
      throw new ApiError('VALIDATION_FAILED', `${field} is not hex (pairs of 0-9, a-f)`);
    }
    bytes = Buffer.from(value, 'hex');
  } else if (encoding === 'base64') {
    bytes = Buffer.from(value, 'base64');
    // The round trip refuses non-zero padding bits, which would give two texts for one value.
    if (!BASE64.test(value) || bytes.toString('base64') !== value) {
      throw new ApiError('VALIDATION_FAILED', `${field} is not padded standard base64`);
    }
  } else {
    bytes = Buffer.from(value, 'utf8');
  }
  if (bytes.length > maxBytes) {
    throw new ApiError('VALIDATION_FAILED', `${field} must be at most ${maxBytes} bytes`);
  }
  return bytes;
}

/** RFC 7638 thumbprint of a P-256 public key. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function leafHashes(data: readonly string[], encoding: Encoding): Buffer[] {
  return data.map((item, i) => leafHash(decode(item, encoding, `data[${i}]`, LEAF_MAX_BYTES)));
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const tags = ['crypto'];
const security = [{ bearer: [] }];

/** How many hashes an RFC 6962 proof has, to tell a wrong length from a wrong hash. */
const UNUSED = emptyRoot();
const consistencyLength = (first: number, second: number): number =>
  consistencyPath(first, second, () => UNUSED).length;

/** Why a proof failed, in words; the checks are the verifier's own, this only explains. */
function consistencyReason(first: number, second: number, proofLength: number): string {
  if (first > second) return `first (${first}) is larger than second (${second})`;
  if (first === 0 && second > 0) return 'a proof from the empty tree proves nothing';
  const expected = first === second ? 0 : consistencyLength(first, second);
  if (proofLength !== expected) {
    return `the proof has ${proofLength} hashes; sizes ${first} and ${second} need ${expected}`;
  }
  return 'the proof does not join the two roots';
}

/** The crypto API's own key pairs (KeyMaterial.cryptoApi and .rsa), and no other. */
export interface CryptoApiKeys {
  readonly signing: KeyPair;
  readonly rsa: KeyPair;
}

export const cryptoRoutes: FastifyPluginAsyncTypebox<{
  keys: CryptoApiKeys;
  keyring: Keyring;
  audit: AuditLog;
}> = (app, { keys, keyring, audit }) => {
  const signingJwk = keys.signing.publicKey.export({ format: 'jwk' });
  const keyId = thumbprint(signingJwk);
  const contextOf = (userId: number): string => `crypto-api:user:${userId}`;

  app.post(
    '/api/crypto/encrypt',
    {
      config: { access: 'user', rateClass: 'crypto', fields: { secret: ['data', 'plaintext'] } },
      schema: {
        tags,
        security,
        summary: 'Encrypt text that only the caller can decrypt (AES-256-GCM)',
        body: EncryptBody,
        response: { 200: EncryptReply, ...AUTHENTICATED_ERRORS },
      },
    },
    (request) => {
      const { data, plaintext } = request.body;
      const text = data ?? plaintext;
      if (text === undefined || (data !== undefined && plaintext !== undefined)) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'send the text to encrypt as data (or plaintext), once',
        );
      }
      const context = contextOf(principalOf(request).userId);
      return Promise.resolve({ ciphertext: keyring.seal(context, text) });
    },
  );

  app.post(
    '/api/crypto/decrypt',
    {
      config: { access: 'user', rateClass: 'crypto', fields: { opaque: ['ciphertext'] } },
      schema: {
        tags,
        security,
        summary: "Decrypt the caller's own ciphertext",
        body: DecryptBody,
        response: { 200: DecryptReply, ...AUTHENTICATED_ERRORS },
      },
    },
    (request) => {
      const context = contextOf(principalOf(request).userId);
      const opened = keyring.open(context, request.body.ciphertext);
      if (!opened.ok) {
        throw new ApiError(
          'DECRYPTION_FAILED',
          'the ciphertext does not decrypt: it is damaged, or it was encrypted for another user',
        );
      }
      return Promise.resolve({ plaintext: opened.plaintext });
    },
  );

  app.post(
    '/api/crypto/sign',
    {
      config: { access: 'user', rateClass: 'crypto', fields: { opaque: ['data'] } },
      schema: {
        tags,
        security,
        summary:
          "Sign data with the crypto API's ECDSA P-256 key (ES256), which signs nothing else",
        body: SignBody,
        response: { 200: SignReply, ...AUTHENTICATED_ERRORS },
      },
    },
    (request) => {
      const { data, encoding = 'utf8', format = 'p1363' } = request.body;
      const message = decode(data, encoding, 'data', MESSAGE_MAX_BYTES);
      const signature = signP256(keys.signing.privateKey, message, format);
      return Promise.resolve({
        signature: signature.toString('base64'),
        algorithm: 'ES256' as const,
        format,
        key_id: keyId,
      });
    },
  );

  app.post(
    '/api/crypto/verify',
    {
      config: {
        access: 'user',
        rateClass: 'crypto',
        fields: { opaque: ['data', 'signature', 'public_key'] },
      },
      schema: {
        tags,
        security,
        summary: "Verify an ES256 signature with a given public key or the crypto API's",
        body: VerifyBody,
        response: { 200: ValidReply, ...AUTHENTICATED_ERRORS },
      },
    },
    (request) => {
      const { data, encoding = 'utf8', format = 'p1363', public_key } = request.body;
      const message = decode(data, encoding, 'data', MESSAGE_MAX_BYTES);
      const signature = decode(request.body.signature, 'base64', 'signature', 512);
      let candidates: KeyObject[] = [keys.signing.publicKey];
      if (public_key !== undefined) {
        const parsed = parseP256PublicKey(public_key);
        if (!parsed.ok) throw new ApiError('INVALID_PUBLIC_KEY', `public_key: ${parsed.message}`);
        candidates = [parsed.key];
      }
      const valid = candidates.some((key) => verifyP256(key, message, signature, format));
      return Promise.resolve({ valid });
    },
  );

  app.get(
    '/api/crypto/public-keys',
    {
      config: { access: 'user', rateClass: 'crypto' },
      schema: {
        tags,
        security,
        summary: "The crypto API's public keys (ECDSA P-256 for signatures, RSA-2048)",
        response: { 200: PublicKeysReply, ...AUTHENTICATED_ERRORS },
      },
    },
    () =>
      Promise.resolve({
        ecdsa: {
          pem: keys.signing.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          jwk: {
            kty: signingJwk.kty ?? 'EC',
            crv: signingJwk.crv ?? 'P-256',
            x: signingJwk.x ?? '',
            y: signingJwk.y ?? '',
          },
        },
        rsa: { pem: keys.rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      }),
  );

  app.post(
    '/api/crypto/merkle/build',
    {
      config: { access: 'user', rateClass: 'crypto', fields: { opaque: ['data'] } },
      bodyLimit: MERKLE_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'Build an RFC 6962 Merkle tree over the given leaves',
        body: MerkleBuildBody,
        response: { 200: MerkleBuildReply, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply },
      },
    },
    (request) => {
      const { data, encoding = 'utf8' } = request.body;
      const levels = treeLevels(leafHashes(data, encoding));
      const root = levels.at(-1)?.[0];
      if (root === undefined) throw new Error('a tree of at least one leaf has a root');
      return Promise.resolve({
        root_hash: hex(root.hash),
        leaf_count: data.length,
        // RFC 6962 trees are full binary trees; the carried-up nodes in `levels` are not new.
        node_count: 2 * data.length - 1,
        levels: levels.map((level) =>
          level.map((node) => ({ hash: hex(node.hash), start: node.start, end: node.end })),
        ),
        tree_structure: levels.map((level) => level.map((node) => hex(node.hash))),
      });
    },
  );

  app.post(
    '/api/crypto/merkle/proof',
    {
      config: { access: 'user', rateClass: 'crypto', fields: { opaque: ['data'] } },
      bodyLimit: MERKLE_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'The inclusion proof of one leaf (RFC 6962 PATH)',
        body: MerkleProofBody,
        response: { 200: MerkleProofReply, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply },
      },
    },
    (request) => {
      const { data, encoding = 'utf8', index } = request.body;
      if (index >= data.length) {
        throw new ApiError('VALIDATION_FAILED', `index must be below the ${data.length} leaves`);
      }
      const hashes = leafHashes(data, encoding);
      const leaf = hashes[index];
      const item = data[index];
      if (leaf === undefined || item === undefined) {
        throw new Error('index was checked against the leaves');
      }
      const levels = treeLevels(hashes);
      const root = levels.at(-1)?.[0];
      if (root === undefined) throw new Error('a tree of at least one leaf has a root');
      return Promise.resolve({
        index,
        leaf: item,
        leaf_hash: hex(leaf),
        proof: inclusionProof(hashes, index).map(hex),
        root_hash: hex(root.hash),
        tree_size: data.length,
      });
    },
  );

  app.post(
    '/api/crypto/merkle/verify',
    {
      config: { access: 'user', rateClass: 'crypto', fields: { opaque: ['leaf'] } },
      schema: {
        tags,
        security,
        summary: 'Check an inclusion proof against a root (RFC 6962)',
        body: MerkleVerifyBody,
        response: { 200: MerkleVerifyReply, ...AUTHENTICATED_ERRORS },
      },
    },
    (request) => {
      const {
        leaf,
        leaf_hash,
        encoding = 'utf8',
        index,
        tree_size,
        proof,
        root_hash,
      } = request.body;
      let hash: Buffer;
      if (leaf !== undefined && leaf_hash === undefined) {
        hash = leafHash(decode(leaf, encoding, 'leaf', LEAF_MAX_BYTES));
      } else if (leaf_hash !== undefined && leaf === undefined) {
        hash = Buffer.from(leaf_hash, 'hex');
      } else {
        throw new ApiError('VALIDATION_FAILED', 'send exactly one of leaf and leaf_hash');
      }
      return Promise.resolve(
        checkInclusion({
          leafHash: hash,
          index,
          treeSize: tree_size,
          proof: proof.map((p) => Buffer.from(p, 'hex')),
          root: Buffer.from(root_hash, 'hex'),
        }),
      );
    },
  );

  app.post(
    '/api/crypto/merkle/consistency',
    {
      config: { access: 'user', rateClass: 'crypto', fields: { opaque: ['data'] } },
      bodyLimit: MERKLE_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'A consistency proof (RFC 6962 PROOF) from the first `first` leaves to all',
        body: MerkleConsistencyBody,
        response: { 200: ConsistencyReply, ...AUTHENTICATED_ERRORS },
      },
    },
    (request) => {
      const { data, encoding, first } = request.body;
      if (first > data.length) {
        throw new ApiError('VALIDATION_FAILED', `first must be at most the ${data.length} leaves`);
      }
      const hashes = leafHashes(data, encoding);
      return Promise.resolve({
        first,
        second: hashes.length,
        first_root: hex(rootFromLeafHashes(hashes.slice(0, first))),
        second_root: hex(rootFromLeafHashes(hashes)),
        proof: consistencyProof(hashes, first).map(hex),
      });
    },
  );

  app.post(
    '/api/crypto/merkle/consistency/verify',
    {
      config: { access: 'user', rateClass: 'crypto' },
      schema: {
        tags,
        security,
        summary: 'Check that the first tree is a prefix of the second (RFC 6962)',
        body: ConsistencyVerifyBody,
        response: { 200: ValidReply, ...AUTHENTICATED_ERRORS },
      },
    },
    (request) => {
      const { first, second, first_root, second_root, proof } = request.body;
      const path = proof.map((p) => Buffer.from(p, 'hex'));
      const root1 = Buffer.from(first_root, 'hex');
      const root2 = Buffer.from(second_root, 'hex');
      const valid = verifyConsistency(first, second, path, root1, root2);
      return Promise.resolve(
        valid ? { valid } : { valid, reason: consistencyReason(first, second, path.length) },
      );
    },
  );

  app.get(
    '/api/crypto/merkle/structure',
    {
      config: { access: 'user', rateClass: 'crypto' },
      schema: {
        tags,
        security,
        summary: "The audit log's tree, one level and range of nodes at a time, for drawing",
        querystring: StructureQuery,
        response: { 200: StructureReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const { level, start, count } = request.query;
      const size = await audit.readableSize(request.query.tree_size);
      const height = Math.ceil(Math.log2(size));
      if (level > height) {
        throw new ApiError('VALIDATION_FAILED', `level must be at most the height, ${height}`);
      }
      const below = level === 0 ? 0 : Math.ceil(size / 2 ** (level - 1));
      const nodes = await audit.nodes(size, level, start, count);
      return {
        tree_size: size,
        root_hash: hex(await audit.root(size)),
        height,
        level,
        level_width: Math.ceil(size / 2 ** level),
        start,
        nodes: nodes.map((node, i) => {
          const index = start + i;
          const children =
            level === 0 ? [] : 2 * index + 1 < below ? [2 * index, 2 * index + 1] : [2 * index];
          return { index, hash: hex(node.hash), start: node.start, end: node.end, children };
        }),
      };
    },
  );

  app.get(
    '/api/crypto/merkle/integrity',
    {
      config: { access: 'admin', rateClass: 'crypto' },
      schema: {
        tags,
        security,
        summary:
          'Recompute the audit log from the database and check it against the signed tree heads and the rows it records',
        response: { 200: IntegrityReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async () => {
      const report = await audit.checkIntegrity();
      return {
        ok: report.ok,
        tree_size: report.treeSize,
        root_hash: hex(report.rootHash),
        heads_checked: report.headsChecked,
        latest_head_size: report.latestHead?.treeSize ?? null,
        duration_ms: report.durationMs,
        failure:
          report.failure === undefined
            ? null
            : {
                index: report.failure.index ?? null,
                kind: report.failure.kind ?? null,
                record: report.failure.record ?? null,
                reason: report.failure.reason,
              },
      };
    },
  );
  return Promise.resolve();
};
