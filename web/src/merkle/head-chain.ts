// A run of consecutive signed tree heads checked in the browser, as a log monitor would: each
// signature, and each head's consistency proof from the head before it, so the log can only
// have grown by appending between any two of them.

import { checkTreeHead, type HeadFields } from './checkpoint.ts';
import { verifyConsistency } from './verify.ts';

export interface ChainedHead extends HeadFields {
  /** PROOF(previous head's size, tree_size), hex. */
  consistency_proof: string[];
}

export interface ChainCheck {
  heads: number;
  /** The first problem found, newest first, or undefined when every check passed. */
  problem: string | undefined;
}

/** `heads` newest first, each the successor of the next (as GET /api/audit/tree-heads lists). */
export async function checkHeadChain(heads: readonly ChainedHead[]): Promise<ChainCheck> {
  for (const [i, head] of heads.entries()) {
    const check = await checkTreeHead(head);
    if (!check.signature || !check.keyId) {
      return { heads: heads.length, problem: `head of size ${head.tree_size}: bad signature` };
    }
    const previous = heads[i + 1];
    if (previous === undefined) continue;
    const consistent = await verifyConsistency(
      previous.tree_size,
      head.tree_size,
      head.consistency_proof,
      previous.root_hash,
      head.root_hash,
    );
    if (!consistent) {
      return {
        heads: heads.length,
        problem: `head of size ${head.tree_size} is not consistent with ${previous.tree_size}`,
      };
    }
  }
  return { heads: heads.length, problem: undefined };
}
