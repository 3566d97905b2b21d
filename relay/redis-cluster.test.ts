// The relay on a real Redis Cluster (3 primaries, NOD5): the stores' contracts run against it
// unchanged, and relay processes sharing it deliver across nodes over sharded pub/sub.
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisMailbox } from './mailbox';
import { mailboxContract } from './mailbox/mailbox.contract';
import { RedisPrekeyStore } from './prekeys';
import { prekeyStoreContract } from './prekeys/prekey-store.contract';
import { ConfigError, configFromEnv } from './config';
import { RateLimiter, RedisAgentBuckets } from './limits';
import { createLogger } from './log';
import { connectRedisCluster } from './redis';
import {
  aliceAndBob,
  envelopeId,
  inbox,
  login,
  makeAgent,
  openSocket,
  payloadOf,
  receiptsOf,
  request,
  type ClientSocket,
} from './test-client';
import { startRedisCluster, type TestRedisCluster } from './testing/redis-cluster';
import { startRelayProcess, type RelayProcess } from './testing/relay-process';

let cluster: TestRedisCluster;
let client: Cluster;
let nodes: RelayProcess[] = [];
const sockets: ClientSocket[] = [];
let n = 0;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = connectRedisCluster(cluster.nodes, 'test');
  nodes = await Promise.all(
    [1, 2].map(() =>
      startRelayProcess({ REDIS_CLUSTER_NODES: cluster.nodes.join(','), REDIS_KEY_PREFIX: 'c:' }),
    ),
  );
}, 60_000);

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await Promise.all(nodes.map((node) => node.kill('SIGTERM')));
  client?.disconnect();
  await cluster?.stop();
});

mailboxContract('RedisMailbox on a Redis Cluster', {
  create: async (options) => new RedisMailbox(client, { ...options, keyPrefix: `m${++n}:` }),
});
prekeyStoreContract(
  'RedisPrekeyStore on a Redis Cluster',
  async () => new RedisPrekeyStore(client, `k${++n}:`),
);

const open = async (node: RelayProcess) => {
  const socket = await openSocket(node.url);
  sockets.push(socket);
  return socket;
};

describe('relay nodes on a Redis Cluster', () => {
  it('[NOD5] spreads agents’ keys over the shards, each agent’s keys on one', async () => {
    const agents = Array.from({ length: 30 }, () => makeAgent().agentId);
    const box = new RedisMailbox(client, { keyPrefix: 'spread:' });
    for (const to of agents) {
      await box.put({ id: envelopeId(), from: agents[0]!, to, payload: 'AAAA', sentAt: 1 });
    }
    const slots = await Promise.all(
      agents.map((id) =>
        Promise.all([':q', ':e', ':m'].map((k) => client.cluster('KEYSLOT', `spread:mbx:{${id}}${k}`))),
      ),
    );
    for (const own of slots) expect(new Set(own).size).toBe(1);
    const shards = await Promise.all(client.nodes('master').map(async (node) => (await node.dbsize()) > 0));
    expect(shards.filter(Boolean).length).toBeGreaterThan(1);
  });

  it('[NOD5] delivers across nodes over sharded pub/sub, with the receipt, and drains on any node', async () => {
    const { bob, a, b, bobInbox } = await aliceAndBob(
      () => open(nodes[0]!),
      () => open(nodes[1]!),
    );
    const { receipts, send } = receiptsOf(a);
    // Bob's channel is a sharded one, held by one shard.
    const shardChannels = await Promise.all(
      client.nodes('master').map((node) => node.call('PUBSUB', 'SHARDCHANNELS', `c:a:${bob.agentId}`)),
    );
    expect(shardChannels.flat()).toEqual([`c:a:${bob.agentId}`]);
    const ids = Array.from({ length: 5 }, () => envelopeId());
    for (const id of ids) {
      expect(await send({ id, to: bob.agentId, payload: payloadOf('hi') })).toMatchObject({ ok: true });
    }
    await bobInbox.waitFor(5);
    expect(bobInbox.received.map((e) => e.id)).toEqual(ids);
    await expect.poll(() => receipts.map((r) => r.id).sort()).toEqual([...ids].sort());

    // Bob offline; mail accepted by node 1 waits in the Cluster and node 2 drains it at his login.
    b.disconnect();
    const later = envelopeId();
    await request(a, 'send', { id: later, to: bob.agentId, payload: payloadOf('later') });
    const b2 = await open(nodes[1]!);
    const again = inbox(b2);
    await login(b2, bob);
    await again.waitFor(1);
    expect(again.received.map((e) => e.id)).toEqual([later]);
  });

  it('[NOD5] tells a watcher on another node when an agent comes online', async () => {
    const carol = makeAgent();
    const dave = makeAgent();
    const c = await open(nodes[0]!);
    await login(c, carol);
    const seen: unknown[] = [];
    c.on('presence', (state) => seen.push(state));
    expect(await request(c, 'presence:subscribe', { agentIds: [dave.agentId] })).toMatchObject({
      presence: [{ agentId: dave.agentId, online: false }],
    });
    const d = await open(nodes[1]!);
    await login(d, dave);
    await expect.poll(() => seen).toContainEqual({ agentId: dave.agentId, online: true });
  });
});

describe('shared rate limits on a Redis Cluster', () => {
  it('[LIM7] two nodes draw an agent’s requests from one bucket on its shard', async () => {
    const limit = { burst: 3, perSecond: 0 };
    const now = () => 1_000_000;
    const prefix = `rl${++n}:`;
    const warnings: string[] = [];
    const log = createLogger('test', 'warn', { write: (line: string) => void warnings.push(line) });
    /** One node's limiter, sharing agents' buckets through the Cluster. */
    const node = () => {
      const buckets = new RedisAgentBuckets(client, limit, now, log, prefix);
      const perConnection = { burst: 100, perSecond: 0 };
      const limiter = new RateLimiter({ perConnection, perAgent: limit }, now, buckets);
      const connection = limiter.connection();
      return (agentId: string) => limiter.allowed(connection, agentId);
    };
    const [a, b] = [node(), node()];
    const agent = makeAgent().agentId;
    expect(await Promise.all([a(agent), b(agent), a(agent), b(agent)])).toEqual([true, true, true, false]);
    // Redis answered: no node fell back to its own bucket (which would have granted all four).
    expect(warnings).toEqual([]);
    expect(await client.exists(`${prefix}rl:{${agent}}`)).toBe(1);
  });
});

describe('Cluster settings', () => {
  it('[NOD5] takes seed nodes from REDIS_CLUSTER_NODES and refuses malformed or conflicting ones', () => {
    expect(configFromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001' })).toMatchObject({
      redisClusterNodes: ['10.0.0.1:7000', '10.0.0.2:7001'],
    });
    expect(() => configFromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(ConfigError);
    expect(() => configFromEnv({ REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://x' })).toThrow(/not both/);
  });
});
