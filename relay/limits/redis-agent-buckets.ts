import { errorName, type Logger } from '../log';
import { LuaScript, type RedisClient } from '../redis';
import { LocalAgentBuckets, type AgentBuckets } from './agent-buckets';
import type { RateLimit } from './token-bucket';

// The token bucket of TokenBucket, kept in a hash so that every node draws from it (LIM7).
// KEYS[1]: the agent's bucket. ARGV: burst, perSecond, now (ms), wanted, ttl (ms)
//   → how many of the wanted tokens are granted (the first ones asked for get them).
// Time never runs backwards for a bucket: a node whose clock is behind refills nothing until it
// catches up with the last time counted.
const TAKE = new LuaScript(`
local burst, rate, now, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]) or burst, tonumber(state[2]) or now
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
local granted = math.max(0, math.min(wanted, math.floor(tokens)))
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - granted), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return granted
`);

/** A bucket that never refills (a rate of 0, for tests) is kept a day. */
const NO_REFILL_TTL_MS = 24 * 3600_000;

/**
 * Agents' buckets in Redis, shared by every node (LIM7). The requests one agent makes on this node
 * during one turn of the event loop are counted with one script; agents' scripts of one turn leave
 * in one pipeline (ioredis auto-pipelining). While Redis cannot answer, this node's own buckets
 * (LIM2) decide instead.
 */
export class RedisAgentBuckets implements AgentBuckets {
  #waiting = new Map<string, ((granted: boolean) => void)[]>();
  #scheduled = false;
  #degraded = false;
  readonly #local: LocalAgentBuckets;
  readonly #ttlMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly limit: RateLimit,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly prefix = '',
  ) {
    this.#local = new LocalAgentBuckets(limit, now);
    // Once a bucket would be full again it is the same as none: Redis forgets it.
    this.#ttlMs =
      limit.perSecond > 0 ? Math.ceil((limit.burst / limit.perSecond) * 1000) + 1000 : NO_REFILL_TTL_MS;
  }

  take(agentId: string): Promise<boolean> {
    return new Promise((resolve) => {
      let waiting = this.#waiting.get(agentId);
      if (!waiting) this.#waiting.set(agentId, (waiting = []));
      waiting.push(resolve);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    });
  }

  /** The shared bucket outlives this node's connections: it expires in Redis on its own. */
  forget(agentId: string): void {
    this.#local.forget(agentId);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const turn = this.#waiting;
    this.#waiting = new Map();
    const now = this.now();
    for (const [agentId, waiting] of turn) {
      TAKE.run(
        this.redis,
        [`${this.prefix}rl:{${agentId}}`],
        [this.limit.burst, this.limit.perSecond, now, waiting.length, this.#ttlMs],
      ).then(
        (granted) => {
          if (this.#degraded) {
            this.#degraded = false;
            this.log.info('rate_limit.shared_again');
          }
          waiting.forEach((resolve, i) => resolve(i < Number(granted)));
        },
        (error: unknown) => {
          // Redis unreachable: this node's bucket limits the agent meanwhile (LIM7), logged once
          // per outage rather than per request.
          if (!this.#degraded) {
            this.#degraded = true;
            this.log.warn('rate_limit.shared_unavailable', { error: errorName(error) });
          }
          for (const resolve of waiting) resolve(this.#local.take(agentId));
        },
      );
    }
  };
}
