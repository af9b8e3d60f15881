import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisTestUrl } from '../../test/support/stores.ts';
import { NodeRegistry } from './node-registry.ts';
import type { ClusterView, NodeRole } from './role.ts';

const url = redisTestUrl();

function view(nodeId: string, role: NodeRole, epoch: number): ClusterView {
  return {
    nodeId,
    role: () => role,
    leader: () => undefined,
    epoch: () => epoch,
    onChange: () => () => undefined,
  };
}

describe.runIf(url !== undefined)('the node registry', () => {
  const clients: Redis[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });

  it('lists the live nodes with their roles, and forgets one that stopped', async () => {
    const prefix = `t_${randomBytes(6).toString('hex')}`;
    const redis = (): Redis => {
      const client = new Redis(url ?? '');
      clients.push(client);
      return client;
    };
    const a = new NodeRegistry(redis(), prefix, view('a', 'leader', 3), 'http://a');
    const b = new NodeRegistry(redis(), prefix, view('b', 'standby', 0), 'http://b');
    await a.start();
    await b.start();
    const listed = await a.nodes();
    expect(listed.map((n) => [n.node_id, n.role, n.epoch, n.address])).toEqual([
      ['a', 'leader', 3, 'http://a'],
      ['b', 'standby', 0, 'http://b'],
    ]);
    await b.stop();
    expect((await a.nodes()).map((n) => n.node_id)).toEqual(['a']);
    await a.stop();
    expect(await a.nodes()).toEqual([]);
  });
});
