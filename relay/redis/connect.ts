import { Redis } from 'ioredis';

/**
 * A Redis connection for the relay. Commands fail fast while Redis is unreachable (the
 * sender gets `unavailable` and retries from its outbox) instead of queueing without bound;
 * ioredis keeps reconnecting and re-subscribes on its own.
 */
export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    lazyConnect: false,
  });
}
