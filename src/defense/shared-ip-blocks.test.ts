import { randomBytes } from 'node:crypto';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { unreachableRedis } from '../../test/support/redis.ts';
import { redisTestUrl } from '../../test/support/stores.ts';
import { SharedIpBlocks } from './shared-ip-blocks.ts';

const MINUTE = 60_000;

/** Polls `check` every 10 ms for at most a second; whether it came true. */
async function soon(check: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 1_000;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A TCP relay to Redis on 127.0.0.1 that a test can take down and bring back on its port. */
async function openRelay(target: URL) {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const down = async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return { port, down, up: () => listen(port) };
}

describe('SharedIpBlocks', () => {
  const url = redisTestUrl();
  const prefix = `test-${randomBytes(6).toString('hex')}`;
  const clients: Redis[] = [];
  const nodes: SharedIpBlocks[] = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    for (const client of clients.splice(0)) client.disconnect();
    if (url === undefined) return;
    const cleaner = new Redis(url);
    const keys = await cleaner.keys(`${prefix}:*`);
    if (keys.length > 0) await cleaner.del(...keys);
    cleaner.disconnect();
  });

  /** A Redis client named `name`, so a test can find its connections on the server. */
  function client(name = 'blocks-test'): Redis {
    if (url === undefined) throw new Error('no Redis');
    const redis = new Redis(url, { connectionName: `${prefix}-${name}` });
    clients.push(redis);
    return redis;
  }

  async function node(
    options: { redis?: Redis; restore?: () => Promise<void>; log?: pino.Logger } = {},
  ): Promise<SharedIpBlocks> {
    const blocks = new SharedIpBlocks({
      redis: options.redis ?? client(),
      prefix,
      now: Date.now,
      log: options.log,
    });
    nodes.push(blocks);
    await blocks.open(options.restore ?? (() => Promise.resolve()));
    return blocks;
  }

  it('shows a block made on one node on the other, merged, and lifted from either', async () => {
    if (url === undefined) return;
    const [a, b] = [await node(), await node()];
    const first = await a.block('203.0.113.5', 10 * MINUTE, 'failed logins');
    expect(a.active('203.0.113.5')).toEqual(first);
    expect(await soon(() => b.active('203.0.113.5') !== undefined)).toBe(true);
    expect(b.active('203.0.113.5')).toEqual(first);

    // A shorter block on the same key keeps the start and the later end, as stored in Redis.
    const second = await b.block('203.0.113.5', MINUTE, 'by hand', true);
    expect(second).toEqual({ ...first, reason: 'by hand', manual: true });
    expect(await soon(() => a.active('203.0.113.5')?.reason === 'by hand')).toBe(true);
    expect(a.list()).toEqual([second]);

    expect(await b.unblock('203.0.113.5')).toBe(true);
    expect(b.active('203.0.113.5')).toBeUndefined();
    expect(await soon(() => a.active('203.0.113.5') === undefined)).toBe(true);
    expect(await a.unblock('203.0.113.5')).toBe(false);
  });

  it('lets a block expire in Redis with its end, and a node opened later loads those in force', async () => {
    if (url === undefined) return;
    const redis = client();
    const a = await node({ redis });
    await a.block('203.0.113.6', 150, 'short');
    await a.block('203.0.113.7', 10 * MINUTE, 'long');
    const ttl = await redis.pttl(`${prefix}:block:203.0.113.6`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(150);
    expect(await soon(async () => (await redis.exists(`${prefix}:block:203.0.113.6`)) === 0)).toBe(
      true,
    );
    expect(a.active('203.0.113.6')).toBeUndefined();

    let restored = 0;
    const later = await node({ restore: () => Promise.resolve(void (restored += 1)) });
    expect(later.list().map((block) => block.key)).toEqual(['203.0.113.7']);
    expect(restored).toBe(1);
  });

  it('reloads every block, and the stored ones, when its subscription reconnects', async () => {
    if (url === undefined) return;
    const admin = client('admin');
    let restored = 0;
    const b = await node({
      redis: client('b'),
      restore: () => Promise.resolve(void (restored += 1)),
    });
    // A block whose announcement b never heard (it was written, not announced).
    await admin.hset(`${prefix}:block:203.0.113.8`, {
      reason: 'missed',
      manual: '0',
      since: String(Date.now()),
      until: String(Date.now() + MINUTE),
    });
    await admin.pexpire(`${prefix}:block:203.0.113.8`, MINUTE);
    expect(b.active('203.0.113.8')).toBeUndefined();
    const list = (await admin.client('LIST')) as string;
    const subscriber = list
      .split('\n')
      .find((line) => line.includes(`name=${prefix}-b `) && / sub=1 /.test(line));
    const id = /\bid=(\d+)/.exec(subscriber ?? '')?.[1];
    expect(id).toBeDefined();
    await admin.client('KILL', 'ID', id ?? '');
    expect(await soon(() => b.active('203.0.113.8') !== undefined)).toBe(true);
    expect(b.active('203.0.113.8')).toMatchObject({ reason: 'missed', manual: false });
    expect(restored).toBe(2);
  });

  it('with Redis gone, keeps enforcing its copy and holds its own changes, logged', async () => {
    if (url === undefined) return;
    const redis = client();
    const lines: string[] = [];
    const a = await node({
      redis,
      log: pino({}, { write: (line: string) => void lines.push(line) }),
    });
    await a.block('203.0.113.9', 10 * MINUTE, 'before');
    redis.disconnect();
    expect(a.active('203.0.113.9')).toMatchObject({ reason: 'before' });
    const during = await a.block('203.0.113.10', 10 * MINUTE, 'during');
    expect(a.active('203.0.113.10')).toEqual(during);
    expect(await a.unblock('203.0.113.9')).toBe(true);
    expect(a.active('203.0.113.9')).toBeUndefined();
    const held = lines.filter((line) => /holds on this node only until it is back/.test(line));
    expect(held.map((line) => (JSON.parse(line) as { change: string }).change)).toEqual([
      'block',
      'lift',
    ]);
  });

  it('sends the changes it held while Redis was unreachable when it is back, and reloads what it missed', async () => {
    if (url === undefined) return;
    const relay = await openRelay(new URL(url));
    const relayed = new Redis(relay.port, '127.0.0.1', {
      retryStrategy: () => 20,
      maxRetriesPerRequest: 1,
    });
    relayed.on('error', () => {});
    clients.push(relayed);
    const a = await node({ redis: relayed });
    const b = await node();
    try {
      await a.block('203.0.113.11', 10 * MINUTE, 'before');
      expect(await soon(() => b.active('203.0.113.11') !== undefined)).toBe(true);

      await relay.down();
      expect(await a.unblock('203.0.113.11')).toBe(true);
      await a.block('203.0.113.12', 10 * MINUTE, 'during, on a');
      await b.block('203.0.113.13', 10 * MINUTE, 'during, on b');
      // The outage lifts nothing on b, and a goes on enforcing its own copy.
      expect(b.active('203.0.113.11')).toBeDefined();
      expect(b.active('203.0.113.12')).toBeUndefined();
      expect(a.active('203.0.113.11')).toBeUndefined();
      expect(a.active('203.0.113.12')).toBeDefined();
      expect(a.active('203.0.113.13')).toBeUndefined();

      await relay.up();
      expect(
        await soon(
          () => b.active('203.0.113.11') === undefined && b.active('203.0.113.12') !== undefined,
        ),
      ).toBe(true);
      expect(await soon(() => a.active('203.0.113.13') !== undefined)).toBe(true);
      expect(a.list().map((block) => block.key)).toEqual(['203.0.113.12', '203.0.113.13']);
    } finally {
      await relay.down();
    }
  });

  it('refuses to open without Redis, saying so', async () => {
    const redis = unreachableRedis();
    clients.push(redis);
    const blocks = new SharedIpBlocks({ redis, prefix, now: Date.now });
    nodes.push(blocks);
    await expect(blocks.open(() => Promise.resolve())).rejects.toThrow(
      /cannot read the cluster's blocks from Redis/,
    );
  });
});
