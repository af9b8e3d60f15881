// /api/audit: the audit log's signed tree heads, each leaf with its inclusion proof, and
// consistency proofs between sizes. Heads are public, as a transparency log's are; leaf contents
// are shown whole to administrators, and to a user only the parts that are theirs.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuditLog } from '../../audit/log.ts';
import { leafView } from '../../audit/leaf-view.ts';
import { checkpointNote } from '../../audit/tree-head.ts';
import { ApiError } from '../../errors.ts';
import type { AuditRepo, StoredTreeHead } from '../../store/audit.repo.ts';
import { principalOf } from '../access.ts';
import { LeafReply, TreeHeadReply, TreeHeadsReply } from '../schemas/audit.ts';
import { AUTHENTICATED_ERRORS, ErrorReply } from '../schemas/common.ts';
import { ConsistencyReply } from '../schemas/crypto.ts';

const tags = ['audit'];
const security = [{ bearer: [] }];
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditLog; repo: AuditRepo }> = (
  app,
  { audit, repo },
) => {
  const publicKey = audit.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const view = (head: StoredTreeHead) => ({
    tree_size: head.treeSize,
    root_hash: hex(head.rootHash),
    timestamp: head.timestamp,
    key_id: head.keyId,
    signature: head.signature,
    checkpoint: checkpointNote(head),
    consistency_proof: head.consistencyProof.map(hex),
    public_key: publicKey,
  });

  app.get(
    '/api/audit/tree-head',
    {
      config: { access: 'public', rateClass: 'account' },
      schema: {
        tags,
        summary: 'The latest signed tree head (C2SP checkpoint layout, ECDSA P-256)',
        response: { 200: TreeHeadReply, 404: ErrorReply },
      },
    },
    async () => view(await audit.headCovering()),
  );

  app.get(
    '/api/audit/tree-heads',
    {
      config: { access: 'user', rateClass: 'account' },
      schema: {
        tags,
        security,
        summary: 'Signed tree heads, newest first',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
            before: Type.Optional(Type.Integer({ minimum: 1, description: 'tree size' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: TreeHeadsReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      return { heads: (await repo.heads(limit, before)).map(view) };
    },
  );

  app.get(
    '/api/audit/leaf/:index',
    {
      config: { access: 'user', rateClass: 'account' },
      schema: {
        tags,
        security,
        summary: 'One leaf with its inclusion proof (RFC 6962 PATH) at a signed size',
        params: Type.Object({ index: Type.Integer({ minimum: 0 }) }),
        querystring: Type.Object(
          {
            tree_size: Type.Optional(
              Type.Integer({ minimum: 1, description: 'default: the latest signed tree head' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: LeafReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const { index } = request.params;
      if (index >= audit.size) {
        throw new ApiError('NOT_FOUND', `the audit log has ${audit.size} leaves`);
      }
      const size = request.query.tree_size ?? (await audit.headCovering(index + 1)).treeSize;
      if (size > audit.size || index >= size) {
        throw new ApiError(
          'VALIDATION_FAILED',
          `tree_size must be above the index and at most ${audit.size}`,
        );
      }
      const leaf = await repo.leaf(index);
      if (leaf === undefined) throw new ApiError('NOT_FOUND', `audit leaf ${index} is missing`);
      return {
        index,
        kind: leaf.kind,
        created_at: leaf.created_at,
        leaf_hash: leaf.leaf_hash,
        ...leafView(leaf.payload, principalOf(request)),
        tree_size: size,
        root_hash: hex(await audit.root(size)),
        proof: (await audit.inclusionProof(index, size)).map(hex),
      };
    },
  );

  app.get(
    '/api/audit/consistency',
    {
      config: { access: 'user', rateClass: 'account' },
      schema: {
        tags,
        security,
        summary: 'A consistency proof (RFC 6962 PROOF) between two sizes of the audit log',
        querystring: Type.Object(
          {
            first: Type.Integer({ minimum: 1 }),
            second: Type.Optional(
              Type.Integer({ minimum: 1, description: 'default: the latest signed tree head' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ConsistencyReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const { first } = request.query;
      const second = await audit.readableSize(request.query.second);
      if (first > second) {
        throw new ApiError('VALIDATION_FAILED', `first must be at most second (${second})`);
      }
      return {
        first,
        second,
        first_root: hex(await audit.root(first)),
        second_root: hex(await audit.root(second)),
        proof: (await audit.consistencyProof(first, second)).map(hex),
      };
    },
  );
  return Promise.resolve();
};
