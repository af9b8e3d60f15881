// Reply schemas of the audit log (/api/audit): signed tree heads, leaves with inclusion proofs.

import { Type } from 'typebox';

export const TreeHeadReply = Type.Object({
  tree_size: Type.Integer(),
  root_hash: Type.String({ description: 'SHA-256, hex' }),
  timestamp: Type.Integer({ description: 'epoch milliseconds' }),
  key_id: Type.String({ description: 'first 8 bytes of SHA-256 of the key SPKI DER, hex' }),
  signature: Type.String({ description: 'ECDSA P-256 / SHA-256 over checkpoint, DER, base64' }),
  checkpoint: Type.String({ description: 'the signed body followed by the signature line' }),
  consistency_proof: Type.Array(Type.String(), {
    description: 'PROOF(previous head size, tree_size), hex hashes',
  }),
  public_key: Type.String({ description: 'the audit key, SPKI PEM' }),
});

export const TreeHeadsReply = Type.Object({ heads: Type.Array(TreeHeadReply) });

export const LeafReply = Type.Object({
  index: Type.Integer(),
  kind: Type.String(),
  created_at: Type.Integer(),
  leaf_hash: Type.String(),
  payload: Type.Union([Type.String(), Type.Null()], {
    description:
      'the leaf data (canonical JSON): whole for an admin; for a user only their own fields ' +
      '(their side of a trade, their ledger entries), null if none are theirs',
  }),
  redacted: Type.Boolean({
    description:
      'payload is not the stored leaf (the other party is left out, or it is null), so it ' +
      'does not hash to leaf_hash; the proof is over leaf_hash',
  }),
  tree_size: Type.Integer(),
  root_hash: Type.String(),
  proof: Type.Array(Type.String()),
});
