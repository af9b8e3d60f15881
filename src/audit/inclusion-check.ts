// An inclusion proof checked as the API answers it: valid or not, and in words why. The checks
// are the verifiers' own (merkle.ts); this only chooses the verifier and explains the outcome.

import { emptyRoot, inclusionPath, shapeWithoutSize, verifyInclusion } from './merkle.ts';

export interface InclusionClaim {
  leafHash: Uint8Array;
  index: number;
  /** Unknown to the original platform's clients: then the index may be only partly checked. */
  treeSize: number | undefined;
  proof: readonly Uint8Array[];
  root: Uint8Array;
}

export interface InclusionCheck {
  valid: boolean;
  message: string;
  /** Why the proof failed, when it did. */
  reason?: string;
  /** Whether the leaf's position was checked, not only that it is under the root. */
  index_checked: boolean;
}

const UNUSED = emptyRoot();
const inclusionLength = (index: number, size: number): number =>
  inclusionPath(index, size, () => UNUSED).length;

function failed(reason: string): InclusionCheck {
  return { valid: false, message: `Proof not valid: ${reason}`, reason, index_checked: false };
}

export function checkInclusion(claim: InclusionClaim): InclusionCheck {
  const { leafHash, index, treeSize, proof, root } = claim;
  const mismatch = 'the proof does not lead from the leaf to the root';
  if (treeSize !== undefined) {
    if (verifyInclusion(leafHash, index, treeSize, proof, root)) {
      return { valid: true, message: 'Proof verified successfully', index_checked: true };
    }
    if (index >= treeSize) return failed(`index ${index} is outside a tree of ${treeSize}`);
    const expected = inclusionLength(index, treeSize);
    if (proof.length !== expected) {
      return failed(
        `the proof has ${proof.length} hashes; leaf ${index} of a tree of ${treeSize} needs ${expected}`,
      );
    }
    return failed(mismatch);
  }
  const shape = shapeWithoutSize(index, proof.length);
  if (shape === undefined) {
    return failed(`no tree has a proof of ${proof.length} hashes for leaf ${index}`);
  }
  if (!verifyInclusion(leafHash, index, shape.smallest, proof, root)) return failed(mismatch);
  if (shape.pinned) {
    return { valid: true, message: 'Proof verified successfully', index_checked: true };
  }
  return {
    valid: true,
    message: `Proof verified: the leaf is under root_hash. The same proof fits other positions in trees of other sizes; send tree_size to check that it is leaf ${index}`,
    index_checked: false,
  };
}
