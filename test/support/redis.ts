// Redis clients for the tests of what is shared through Redis: one that cannot reach any server,
// as with Redis down, so a test sees how a component fails without it.

import { Redis } from 'ioredis';

/** A client whose every command fails at once; its error events are swallowed. */
export function unreachableRedis(): Redis {
  const redis = new Redis({
    host: '127.0.0.1',
    port: 1,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  return redis;
}
