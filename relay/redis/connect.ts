import { Cluster, Redis } from 'ioredis';

/**
 * What the relay's stores talk to: one Redis, or a Redis Cluster (NOD5). Every key of one agent
 * shares a hash tag, so every script and transaction touches one slot, as a Cluster requires.
 */
export type RedisClient = Redis | Cluster;

const COMMON = {
  // Commands fail fast while Redis is unreachable (the sender gets `unavailable` and retries
  // from its outbox) instead of queueing without bound; ioredis keeps reconnecting and
  // re-subscribes on its own.
  maxRetriesPerRequest: 1,
  retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
};

/** A Redis connection for the relay. */
export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, {
    ...COMMON,
    connectionName: name,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
}

/**
 * A Redis Cluster client, from seed nodes (`host:port`). `subscriber`: the connection fanout
 * listens on, with sharded pub/sub (SSUBSCRIBE), so an agent's channel lives on one shard
 * rather than being broadcast to all of them.
 */
export function connectRedisCluster(nodes: readonly string[], name: string, subscriber = false): Cluster {
  return new Cluster(
    nodes.map((node) => {
      const [host, port] = node.split(':');
      return { host: host!, port: Number(port) };
    }),
    {
      enableAutoPipelining: true,
      shardedSubscribers: subscriber,
      clusterRetryStrategy: COMMON.retryStrategy,
      redisOptions: { ...COMMON, connectionName: name },
    },
  );
}
