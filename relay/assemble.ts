import type { RelayConfig } from './config';
import { Fanout } from './fanout';
import { firebaseTokenVerifier, RedisUidBindings } from './firebase';
import { RedisAgentBuckets } from './limits';
import { errorName, type Logger } from './log';
import { MemoryMailbox, RedisMailbox } from './mailbox';
import { RedisPrekeyStore } from './prekeys';
import { presenceKey, RedisPresence } from './presence';
import { connectRedis, connectRedisCluster, type RedisClient } from './redis';
import { createRelay, type Relay, type RelayOptions } from './server';

/** Builds a relay from its configuration: in-memory stores, or Redis ones shared by every node. */
export function assembleRelay(config: RelayConfig, logger: Logger, extra: Partial<RelayOptions> = {}): Relay {
  const common: RelayOptions = {
    logger,
    origins: config.origins,
    limits: config.limits,
    ...(config.projectUrl ? { projectUrl: config.projectUrl } : {}),
    ...(config.transports ? { transports: config.transports } : {}),
    ...(config.firebaseProjectId ? { tokenVerifier: firebaseTokenVerifier(config.firebaseProjectId) } : {}),
    ...extra,
  };
  const cluster = config.redisClusterNodes;
  if (!config.redisUrl && !cluster) {
    return createRelay({ mailbox: new MemoryMailbox(config.mailbox), ...common });
  }

  // Two connections: a subscriber connection can run nothing but (un)subscribe commands.
  const redis: RedisClient = cluster
    ? connectRedisCluster(cluster, 'parley-relay')
    : connectRedis(config.redisUrl!, 'parley-relay');
  const sub: RedisClient = cluster
    ? connectRedisCluster(cluster, 'parley-relay-sub', true)
    : connectRedis(config.redisUrl!, 'parley-relay-sub');
  const onError = (error: Error) =>
    logger.warn('redis_error', { error: error.name, message: error.message.slice(0, 80) });
  redis.on('error', onError);
  sub.on('error', onError);
  const prefix = config.keyPrefix;
  const fanout = new Fanout({ pub: redis, sub, prefix, sharded: Boolean(cluster) }, (error) =>
    logger.warn('fanout_message_dropped', { error: errorName(error) }),
  );
  return createRelay({
    mailbox: new RedisMailbox(redis, {
      ...config.mailbox,
      keyPrefix: prefix,
      presenceKey: (agentId) => presenceKey(prefix, agentId),
    }),
    prekeys: new RedisPrekeyStore(redis, prefix),
    presence: new RedisPresence(redis, fanout.nodeId, { prefix }),
    bindings: new RedisUidBindings(redis, prefix),
    agentBuckets: (limit, now) => new RedisAgentBuckets(redis, limit, now, logger, prefix),
    fanout,
    ready: async () => {
      await redis.ping();
    },
    closeStores: async () => {
      await Promise.allSettled([redis.quit(), sub.quit()]);
    },
    ...common,
  });
}
