// An agent's rate budget shared by every node through Redis (LIM7), against a real Redis. Time is
// the injected clock, and the relays below never refill: no outcome depends on this machine's speed.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { assembleRelay } from '../assemble';
import { configFromEnv } from '../config';
import { createLogger } from '../log';
import type { Relay } from '../server';
import { login, makeAgent, openSocket, request, type ClientSocket } from '../test-client';
import { freePort } from '../testing/redis-server';
import { useTestRedis } from '../testing/redis-fixture';
import { LocalAgentBuckets, RateLimiter, RedisAgentBuckets, type AgentBuckets } from '.';

const redis = useTestRedis();
const quiet = createLogger('test', 'silent');
const AGENT = { burst: 4, perSecond: 2 };
const CONNECTION = { burst: 1000, perSecond: 0 };
let prefixes = 0;

/** One node's limiter; nodes made with the same `prefix` share their agents' buckets. */
function node(clock: () => number, agents: AgentBuckets) {
  const limiter = new RateLimiter({ perConnection: CONNECTION, perAgent: AGENT }, clock, agents);
  const connection = limiter.connection();
  /** `count` requests of one agent in one turn of the event loop. */
  return (agentId: string, count = 1) =>
    Promise.all(Array.from({ length: count }, () => limiter.allowed(connection, agentId)));
}

describe('shared agent buckets', () => {
  it('[LIM7] nodes draw an agent’s requests from one budget, granted in order, refilled by the clock', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const prefix = `t${++prefixes}:`;
    const a = node(now, new RedisAgentBuckets(redis.client, AGENT, now, quiet, prefix));
    const b = node(now, new RedisAgentBuckets(redis.client, AGENT, now, quiet, prefix));
    expect(await a('alice', 3)).toEqual([true, true, true]);
    expect(await b('alice', 3)).toEqual([true, false, false]);
    // Per node (LIM2 without Redis) the same requests would all pass: that is what LIM7 mends.
    const localA = node(now, new LocalAgentBuckets(AGENT, now));
    const localB = node(now, new LocalAgentBuckets(AGENT, now));
    expect([...(await localA('alice', 3)), ...(await localB('alice', 3))]).toEqual(Array(6).fill(true));

    clock += 500; // one token at 2/s, for whichever node asks first
    expect(await b('alice')).toEqual([true]);
    expect(await a('alice')).toEqual([false]);
    // Another agent's budget is its own.
    expect(await b('bob', 5)).toEqual([true, true, true, true, false]);
    // Rested, never more than the burst, on either node.
    clock += 60_000;
    expect([...(await a('alice', 2)), ...(await b('alice', 3))]).toEqual([true, true, true, true, false]);
    // The bucket expires once it would be full again (burst / rate = 2 s, plus a second).
    const ttl = await redis.client.pttl(`${prefix}rl:{alice}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3000);
  });

  it('[LIM7] a node whose clock is behind refills nothing until it catches up', async () => {
    let clockA = 1_000_000;
    let clockB = clockA - 10_000;
    const prefix = `t${++prefixes}:`;
    const a = node(() => clockA, new RedisAgentBuckets(redis.client, AGENT, () => clockA, quiet, prefix));
    const b = node(() => clockB, new RedisAgentBuckets(redis.client, AGENT, () => clockB, quiet, prefix));
    expect(await a('carol', 4)).toEqual([true, true, true, true]);
    clockB += 5_000; // still 5 s behind the last time counted
    expect(await b('carol')).toEqual([false]);
    clockA += 500;
    clockB = clockA;
    expect(await b('carol', 2)).toEqual([true, false]);
  });

  it('[LIM7] falls back to the node’s own bucket while Redis cannot answer, and says so once', async () => {
    const lines: string[] = [];
    const log = createLogger('test', 'info', { write: (line: string) => void lines.push(line) });
    const down = new Redis(await freePort(), '127.0.0.1', {
      enableOfflineQueue: false,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    // Refused connections are this test's premise, not news.
    down.on('error', () => {});
    try {
      const clock = () => 1_000_000;
      const a = node(clock, new RedisAgentBuckets(down, AGENT, clock, log, 'down:'));
      expect(await a('dave', 3)).toEqual([true, true, true]);
      expect(await a('dave', 3)).toEqual([true, false, false]);
      const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
      expect(warnings.map((l) => l.event)).toEqual(['rate_limit.shared_unavailable']);
    } finally {
      down.disconnect();
    }
  });
});

describe('shared agent buckets in assembled relays', () => {
  const relays: Relay[] = [];
  const sockets: ClientSocket[] = [];
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.disconnect());
    await Promise.all(relays.splice(0).map((r) => r.close()));
  });

  it('[LIM7] two nodes on one Redis give an agent one budget, not one each', async () => {
    // Buckets that never refill: 10 per connection, 20 per agent.
    const config = configFromEnv({
      REDIS_URL: redis.server.url,
      REDIS_KEY_PREFIX: `t${++prefixes}:`,
      RELAY_RATE_BURST: '10',
      RELAY_RATE_PER_SECOND: '0',
    });
    const urls = await Promise.all(
      [1, 2].map(async () => {
        const relay = assembleRelay(config, quiet);
        relays.push(relay);
        return (await relay.listen(0)).url;
      }),
    );
    const agent = makeAgent();
    // Two connections on each node; each has 8 requests left after its challenge and login.
    const connections = await Promise.all(
      [...urls, ...urls].map(async (url) => {
        const socket = await openSocket(url);
        sockets.push(socket);
        expect(await login(socket, agent)).toMatchObject({ ok: true });
        return socket;
      }),
    );
    const answers = await Promise.all(
      connections.flatMap((socket) => Array.from({ length: 8 }, () => request(socket, 'prekeys:count', {}))),
    );
    const codes = answers.map((a) => (a.ok ? 'ok' : a.error.code));
    // 32 asked: 20 granted over both nodes (each node alone would have granted its 16).
    expect(codes.filter((c) => c === 'ok')).toHaveLength(20);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(12);
  });
});
