// What a node knows of its place in the cluster: whether it is the sequencer (the leader, which
// alone writes trading state), a standby that serves the API and forwards commands to the
// leader, or a former leader that found itself fenced. A single node is always the leader.

/** `fenced`: this node led, then lost its lease; it writes nothing until it leads again. */
export type NodeRole = 'leader' | 'standby' | 'fenced';

export interface LeaderInfo {
  nodeId: string;
  /** Base URL of the leader's internal command endpoint, e.g. http://10.0.0.5:8000. */
  address: string;
  epoch: number;
}

export interface ClusterView {
  readonly nodeId: string;
  /** This node's role now. */
  role(): NodeRole;
  /** The node named by the lease row as leader (this one included), if the lease is live. */
  leader(): LeaderInfo | undefined;
  /** The epoch this node leads under; 0 when it does not lead. */
  epoch(): number;
  /** Calls `listener` on every change of role or leader; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** One process on its own database: always the leader, epoch 1, never changing. */
export function singleNode(nodeId: string, address: string): ClusterView {
  const leader: LeaderInfo = { nodeId, address, epoch: 1 };
  return {
    nodeId,
    role: () => 'leader',
    leader: () => leader,
    epoch: () => 1,
    onChange: () => () => undefined,
  };
}
