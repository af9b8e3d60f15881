// Shapes of the audit log and Merkle APIs (/api/audit, /api/crypto/merkle), from the server's
// TypeBox schemas. Kept beside types.ts so the explorer's additions stay in one place.

import type { Static } from 'typebox';
import type { LeafReply, TreeHeadReply, TreeHeadsReply } from '../../../src/http/schemas/audit.ts';
import type {
  ConsistencyReply,
  IntegrityReply,
  MerkleBuildReply,
  MerkleProofReply,
  StructureReply,
  ValidReply,
} from '../../../src/http/schemas/crypto.ts';

export type TreeHead = Static<typeof TreeHeadReply>;
export type TreeHeads = Static<typeof TreeHeadsReply>;
export type AuditLeaf = Static<typeof LeafReply>;
export type Consistency = Static<typeof ConsistencyReply>;
export type Integrity = Static<typeof IntegrityReply>;
export type MerkleBuild = Static<typeof MerkleBuildReply>;
export type MerkleProof = Static<typeof MerkleProofReply>;
export type Structure = Static<typeof StructureReply>;
export type Validity = Static<typeof ValidReply>;
