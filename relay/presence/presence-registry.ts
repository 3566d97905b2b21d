import type { RedisClient } from '../redis';

/**
 * Who is online, across nodes (PRS*). A node reports an agent up when its first connection
 * there logs in and down when its last one leaves; the registry answers only for ids the
 * asker names — it has no way to list who is online.
 */
export interface PresenceRegistry {
  up(agentId: string): Promise<void>;
  /** Returns whether the agent is still online on another node. */
  down(agentId: string): Promise<boolean>;
  isOnline(agentIds: readonly string[]): Promise<boolean[]>;
  /** Whether a node other than this one holds a live connection of the agent. */
  elsewhere(agentId: string): Promise<boolean>;
  /** Writes this node's leases again (the store may have lost them). */
  renew(): Promise<void>;
  close(): Promise<void>;
}

/** The Redis key of an agent's leases; its hash tag is the mailbox's, so a script can read both. */
export const presenceKey = (prefix: string, agentId: string) => `${prefix}on:{${agentId}}`;

export class MemoryPresence implements PresenceRegistry {
  readonly #online = new Set<string>();
  async up(agentId: string) {
    this.#online.add(agentId);
  }
  async down(agentId: string) {
    this.#online.delete(agentId);
    return false;
  }
  async isOnline(agentIds: readonly string[]) {
    return agentIds.map((id) => this.#online.has(id));
  }
  /** One process: there is no other node. */
  async elsewhere() {
    return false;
  }
  async renew() {}
  async close() {}
}

/**
 * Per agent, a sorted set of node ids scored by a lease expiry. A node renews the leases of
 * its agents every third of the lease, so the agents of a node that died (kill -9) read as
 * offline once their lease runs out, without anyone cleaning up.
 */
export class RedisPresence implements PresenceRegistry {
  readonly #local = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  /** Recent `elsewhere` answers (and lookups in flight), by agent id. */
  readonly #elsewhere = new Map<string, { at: number; answer: Promise<boolean> }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly nodeId: string,
    private readonly options: {
      prefix?: string;
      leaseMs?: number;
      now?: () => number;
      /** How long an `elsewhere` answer is reused (NOD4); default 1 s. */
      elsewhereCacheMs?: number;
    } = {},
  ) {
    this.#timer = setInterval(() => {
      // Redis away: its connection's error listener logs that (assemble.ts), and the next tick renews.
      void this.#renew().catch(() => {});
      this.#forgetStale();
    }, this.#lease / 3);
    this.#timer.unref();
  }

  get #lease() {
    return this.options.leaseMs ?? 60_000;
  }

  #now() {
    return (this.options.now ?? Date.now)();
  }

  #key(agentId: string) {
    return presenceKey(this.options.prefix ?? '', agentId);
  }

  async up(agentId: string) {
    this.#local.add(agentId);
    await this.redis
      .multi()
      .zadd(this.#key(agentId), this.#now() + this.#lease, this.nodeId)
      .pexpire(this.#key(agentId), this.#lease * 2)
      .exec();
  }

  async down(agentId: string) {
    this.#local.delete(agentId);
    const key = this.#key(agentId);
    const result = await this.redis.multi().zrem(key, this.nodeId).zcount(key, this.#now(), '+inf').exec();
    return Number(result?.[1]?.[1] ?? 0) > 0;
  }

  async isOnline(agentIds: readonly string[]) {
    const now = this.#now();
    const counts = await Promise.all(agentIds.map((id) => this.redis.zcount(this.#key(id), now, '+inf')));
    return counts.map((n) => n > 0);
  }

  /**
   * Asked once per receipt batch, so the answer is reused for a moment (NOD4): lookups for one
   * agent in flight at once share one Redis call, and an answer is kept for `elsewhereCacheMs`.
   */
  elsewhere(agentId: string): Promise<boolean> {
    const now = this.#now();
    const recent = this.#elsewhere.get(agentId);
    if (recent && now - recent.at < this.#cacheMs) return recent.answer;
    const answer = this.redis
      .zrangebyscore(this.#key(agentId), now, '+inf')
      .then((nodes) => nodes.some((node) => node !== this.nodeId));
    this.#elsewhere.set(agentId, { at: now, answer });
    // The caller gets the failure; the cache must not keep it for the next asker.
    answer.catch(() => this.#elsewhere.delete(agentId));
    return answer;
  }

  get #cacheMs() {
    return this.options.elsewhereCacheMs ?? 1000;
  }

  #forgetStale() {
    const now = this.#now();
    for (const [agentId, { at }] of this.#elsewhere) {
      if (now - at >= this.#cacheMs) this.#elsewhere.delete(agentId);
    }
  }

  /** Writes every local lease again (after Redis came back, possibly without its data). */
  async renew() {
    await this.#renew();
  }

  async close() {
    clearInterval(this.#timer);
    this.#elsewhere.clear();
  }

  async #renew() {
    const expires = this.#now() + this.#lease;
    // One command per key, not one pipeline: a Cluster cannot run a pipeline across slots, and
    // auto-pipelining sends them together anyway (per shard in a Cluster).
    await Promise.all(
      [...this.#local].flatMap((agentId) => [
        this.redis.zadd(this.#key(agentId), expires, this.nodeId),
        this.redis.pexpire(this.#key(agentId), this.#lease * 2),
      ]),
    );
  }
}
