import type { RedisClient } from '../redis';
import { LuaScript } from '../redis';

/**
 * Agent id ↔ Firebase uid, bound on first use (FBA3): the first account that logs an agent in
 * owns it; another account is refused for that agent from then on.
 */
export interface UidBindings {
  /** Binds when unbound; true when `uid` is (now) the agent's account. */
  bind(agentId: string, uid: string): Promise<boolean>;
}

export class MemoryUidBindings implements UidBindings {
  readonly #uids = new Map<string, string>();
  async bind(agentId: string, uid: string) {
    const bound = this.#uids.get(agentId);
    if (bound === undefined) this.#uids.set(agentId, uid);
    return (bound ?? uid) === uid;
  }
}

const BIND = new LuaScript(`
local bound = redis.call('GET', KEYS[1])
if not bound then redis.call('SET', KEYS[1], ARGV[1]); return 1 end
if bound == ARGV[1] then return 1 end
return 0
`);

export class RedisUidBindings implements UidBindings {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = '',
  ) {}
  async bind(agentId: string, uid: string) {
    return (await BIND.run(this.redis, [`${this.prefix}uid:{${agentId}}`], [uid])) === 1;
  }
}
