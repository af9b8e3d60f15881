// Request and reply schemas of the crypto tools (/api/crypto). Bodies are closed objects; sizes
// are bounded here, and encodings (hex, base64) are checked by the routes, naming the field.

import { Type } from 'typebox';

const closed = { additionalProperties: false } as const;

/** Largest plaintext or message to sign, in characters (UTF-8) or decoded bytes. */
export const MESSAGE_MAX_BYTES = 16 * 1024;
/** Largest Merkle leaf, in decoded bytes, and the most leaves in one tree. */
export const LEAF_MAX_BYTES = 4 * 1024;
export const MAX_LEAVES = 1024;
/**
 * Merkle requests may be larger than the app's 64 KiB default, but not without bound: 1 MiB,
 * room for the full MAX_LEAVES of short items. Larger bodies get 413.
 */
export const MERKLE_BODY_LIMIT = 1024 * 1024;

/** `hex` and `base64` leaves are checked in the route; an empty string is a valid empty input. */
export const Encoding = Type.Union([
  Type.Literal('utf8'),
  Type.Literal('hex'),
  Type.Literal('base64'),
]);
const SignatureFormat = Type.Union([Type.Literal('p1363'), Type.Literal('der')]);
const Hash = Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'SHA-256, hex' });
/** A message in `encoding`; long enough for MESSAGE_MAX_BYTES in hex, checked after decoding. */
const Message = Type.String({ maxLength: MESSAGE_MAX_BYTES * 2 });
const Leaf = Type.String({ maxLength: LEAF_MAX_BYTES * 2 });
const Leaves = Type.Array(Leaf, { minItems: 1, maxItems: MAX_LEAVES });
const LeafIndex = Type.Integer({ minimum: 0 });

/** The text as `data` (the name /sign takes, and the original platform's) or `plaintext`: one. */
export const EncryptBody = Type.Object(
  {
    data: Type.Optional(Type.String({ maxLength: MESSAGE_MAX_BYTES })),
    plaintext: Type.Optional(Type.String({ maxLength: MESSAGE_MAX_BYTES })),
  },
  closed,
);
export const EncryptReply = Type.Object({ ciphertext: Type.String() });

export const DecryptBody = Type.Object(
  { ciphertext: Type.String({ minLength: 1, maxLength: 64 * 1024 }) },
  closed,
);
export const DecryptReply = Type.Object({ plaintext: Type.String() });

export const SignBody = Type.Object(
  {
    data: Message,
    encoding: Type.Optional(Encoding),
    format: Type.Optional(SignatureFormat),
  },
  closed,
);
export const SignReply = Type.Object({
  signature: Type.String({ description: 'base64' }),
  algorithm: Type.Literal('ES256'),
  format: SignatureFormat,
  key_id: Type.String({ description: 'RFC 7638 thumbprint of the public key' }),
});

/**
 * A public P-256 JWK. `d` is listed so that a private JWK reaches the key parser and is refused
 * with INVALID_PUBLIC_KEY instead of being stripped and silently accepted.
 */
const PublicJwk = Type.Object(
  {
    kty: Type.String({ maxLength: 16 }),
    crv: Type.String({ maxLength: 16 }),
    x: Type.String({ maxLength: 64 }),
    y: Type.String({ maxLength: 64 }),
    d: Type.Optional(Type.String({ maxLength: 64 })),
    alg: Type.Optional(Type.String({ maxLength: 16 })),
    use: Type.Optional(Type.String({ maxLength: 16 })),
    kid: Type.Optional(Type.String({ maxLength: 128 })),
  },
  closed,
);

export const VerifyBody = Type.Object(
  {
    data: Message,
    encoding: Type.Optional(Encoding),
    signature: Type.String({ maxLength: 512, description: 'base64' }),
    format: Type.Optional(SignatureFormat),
    public_key: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 4096 }), PublicJwk]),
    ),
  },
  closed,
);
export const ValidReply = Type.Object({
  valid: Type.Boolean(),
  reason: Type.Optional(Type.String({ description: 'why a proof or signature is not valid' })),
});

export const PublicKeysReply = Type.Object({
  ecdsa: Type.Object({
    pem: Type.String(),
    jwk: Type.Object({
      kty: Type.String(),
      crv: Type.String(),
      x: Type.String(),
      y: Type.String(),
    }),
  }),
  rsa: Type.Object({ pem: Type.String() }),
});

/** Leaves are UTF-8 text unless `encoding` says otherwise. */
export const MerkleBuildBody = Type.Object(
  { data: Leaves, encoding: Type.Optional(Encoding) },
  closed,
);
const TreeNode = Type.Object({
  hash: Type.String(),
  start: Type.Integer({ description: 'first leaf under the node' }),
  end: Type.Integer({ description: 'one past the last leaf under the node' }),
});
export const MerkleBuildReply = Type.Object({
  root_hash: Type.String(),
  leaf_count: Type.Integer(),
  node_count: Type.Integer({ description: 'nodes of the RFC 6962 tree: 2n - 1' }),
  levels: Type.Array(Type.Array(TreeNode), {
    description: 'leaves first; a node without a right sibling is carried up unchanged',
  }),
  tree_structure: Type.Array(Type.Array(Type.String()), {
    description: "the hashes of `levels`, leaves first (the original platform's field)",
  }),
});

export const MerkleProofBody = Type.Object(
  { data: Leaves, encoding: Type.Optional(Encoding), index: LeafIndex },
  closed,
);
export const MerkleProofReply = Type.Object({
  index: Type.Integer(),
  leaf: Type.String({ description: 'the item proved, as sent' }),
  leaf_hash: Type.String(),
  proof: Type.Array(Type.String()),
  root_hash: Type.String(),
  tree_size: Type.Integer(),
});

export const MerkleVerifyBody = Type.Object(
  {
    leaf: Type.Optional(Leaf),
    leaf_hash: Type.Optional(Hash),
    encoding: Type.Optional(Encoding),
    index: LeafIndex,
    /** Optional, as in the original platform; without it the index may be only partly checked. */
    tree_size: Type.Optional(Type.Integer({ minimum: 1 })),
    proof: Type.Array(Hash, { maxItems: 64 }),
    root_hash: Hash,
  },
  closed,
);
export const MerkleVerifyReply = Type.Object({
  valid: Type.Boolean(),
  message: Type.String(),
  reason: Type.Optional(Type.String({ description: 'why the proof is not valid' })),
  index_checked: Type.Boolean({
    description: 'the position was checked too; without tree_size it may not be',
  }),
});

const TreeSize = Type.Integer({ minimum: 0 });

export const MerkleConsistencyBody = Type.Object(
  {
    data: Leaves,
    encoding: Encoding,
    first: Type.Integer({ minimum: 1, description: 'size of the older tree (a prefix of data)' }),
  },
  closed,
);
export const ConsistencyReply = Type.Object({
  first: Type.Integer(),
  second: Type.Integer(),
  first_root: Type.String(),
  second_root: Type.String(),
  proof: Type.Array(Type.String()),
});

export const ConsistencyVerifyBody = Type.Object(
  {
    first: TreeSize,
    second: TreeSize,
    first_root: Hash,
    second_root: Hash,
    proof: Type.Array(Hash, { maxItems: 128 }),
  },
  closed,
);

export const MAX_STRUCTURE_NODES = 256;
export const StructureQuery = Type.Object(
  {
    level: Type.Integer({ minimum: 0, maximum: 62, default: 0, description: '0 = leaves' }),
    start: Type.Integer({ minimum: 0, default: 0, description: 'first node index at the level' }),
    count: Type.Integer({ minimum: 1, maximum: MAX_STRUCTURE_NODES, default: 64 }),
    tree_size: Type.Optional(
      Type.Integer({ minimum: 1, description: 'default: the latest signed tree head' }),
    ),
  },
  closed,
);
export const StructureReply = Type.Object({
  tree_size: Type.Integer(),
  root_hash: Type.String(),
  height: Type.Integer({ description: 'levels above the leaves; the root is at this level' }),
  level: Type.Integer(),
  level_width: Type.Integer({ description: 'nodes at this level' }),
  start: Type.Integer(),
  nodes: Type.Array(
    Type.Object({
      index: Type.Integer(),
      hash: Type.String(),
      start: Type.Integer({ description: 'first leaf under the node' }),
      end: Type.Integer({ description: 'one past the last leaf under the node' }),
      children: Type.Array(Type.Integer(), {
        description: 'node indices one level down: two, or one for a node carried up',
      }),
    }),
  ),
});

export const IntegrityReply = Type.Object({
  ok: Type.Boolean(),
  tree_size: Type.Integer(),
  root_hash: Type.String(),
  heads_checked: Type.Integer(),
  latest_head_size: Type.Union([Type.Integer(), Type.Null()]),
  duration_ms: Type.Integer(),
  failure: Type.Union([
    Type.Null(),
    Type.Object({
      index: Type.Union([Type.Integer(), Type.Null()]),
      kind: Type.Union([Type.String(), Type.Null()]),
      record: Type.Union([Type.String(), Type.Null()]),
      reason: Type.String(),
    }),
  ]),
});
