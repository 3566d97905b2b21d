import type { Redis } from 'ioredis';
import type { Envelope } from '../protocol';
import { LuaScript } from '../redis';
import {
  DEFAULT_MAILBOX_LIMITS,
  envelopeBytes,
  type Mailbox,
  type MailboxLimits,
  type PutResult,
} from './mailbox';

/*
 * One mailbox is three keys sharing a hash tag (so Redis Cluster keeps them on one slot):
 *   q  sorted set  envelope id, scored by an arrival sequence number (delivery order)
 *   e  hash        envelope id → "<expiresAt>|<envelope JSON>"
 *   m  hash        seq (the counter), bytes (sum of the held envelopes' JSON sizes)
 * All three carry the TTL, pushed forward by every put, so an abandoned mailbox disappears.
 * Each operation is one Lua script: Redis runs it atomically, and with appendonly + fsync the
 * reply to `put` (and so the sender's ack) comes after the write is in the log.
 */

const REMOVE = `
local function remove(id, rec)
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
  if rec then
    local sep = string.find(rec, '|', 1, true)
    redis.call('HINCRBY', KEYS[3], 'bytes', -(#rec - sep))
  end
end
local function expired(rec, now)
  local sep = string.find(rec, '|', 1, true)
  return tonumber(string.sub(rec, 1, sep - 1)) <= now, sep
end
local function purge_front(now, budget)
  local ids = redis.call('ZRANGE', KEYS[1], 0, budget - 1)
  for _, id in ipairs(ids) do
    local rec = redis.call('HGET', KEYS[2], id)
    if not rec then remove(id, nil)
    elseif expired(rec, now) then remove(id, rec)
    else return end
  end
end
local function drop_if_empty()
  if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
end
`;

// KEYS[4] (optional): the recipient's presence leases (node id scored by lease expiry; same
// hash tag, so same slot).
// ARGV: id, record, bytes, maxCount, maxBytes, ttlMs, now, node
//   → {status (1 stored, 0 duplicate, 2 full), depth, elsewhere (1 when a node other than
//      ARGV[8] holds a live lease)}
// Reading the leases in the same script as the write is what lets a node skip the pub/sub
// publish: a node that registers its lease after this script ran drains the mailbox after
// registering, so it reads this envelope; one registered before is reported here (NOD3).
const PUT = new LuaScript(`${REMOVE}
local function elsewhere()
  if not KEYS[4] then return 1 end
  for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], ARGV[7], '+inf')) do
    if node ~= ARGV[8] then return 1 end
  end
  return 0
end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {0, redis.call('ZCARD', KEYS[1])} end
local size = tonumber(ARGV[3])
local function over()
  local count = redis.call('ZCARD', KEYS[1])
  local bytes = tonumber(redis.call('HGET', KEYS[3], 'bytes') or '0')
  return count + 1 > tonumber(ARGV[4]) or bytes + size > tonumber(ARGV[5]), count
end
local full, count = over()
if full then
  purge_front(tonumber(ARGV[7]), 100)
  full, count = over()
  if full then return {2, count} end
end
local seq = redis.call('HINCRBY', KEYS[3], 'seq', 1)
redis.call('HINCRBY', KEYS[3], 'bytes', size)
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[6]) end
return {1, count + 1, elsewhere()}
`);

// ARGV: now, limit → envelope JSON strings, oldest first; expired ones are removed on the way.
const PENDING = new LuaScript(`${REMOVE}
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local out, start = {}, 0
while #out < limit do
  local ids = redis.call('ZRANGE', KEYS[1], start, start + limit - 1)
  if #ids == 0 then break end
  local removed = 0
  for _, id in ipairs(ids) do
    local rec = redis.call('HGET', KEYS[2], id)
    if not rec then remove(id, nil); removed = removed + 1
    else
      local old, sep = expired(rec, now)
      if old then remove(id, rec); removed = removed + 1
      elseif #out < limit then out[#out + 1] = string.sub(rec, sep + 1) end
    end
  end
  start = start + #ids - removed
end
drop_if_empty()
return out
`);

// ARGV: id → 1 when it was held, 0 when not.
const ACK = new LuaScript(`${REMOVE}
local rec = redis.call('HGET', KEYS[2], ARGV[1])
if not rec then return 0 end
remove(ARGV[1], rec)
drop_if_empty()
return 1
`);

// ARGV: now → depth after dropping expired envelopes at the front.
const DEPTH = new LuaScript(`${REMOVE}
purge_front(tonumber(ARGV[1]), 1000)
drop_if_empty()
return redis.call('ZCARD', KEYS[1])
`);

export interface RedisMailboxOptions extends Partial<MailboxLimits> {
  /** Prepended to every key: lets tests (or tenants) share one Redis. */
  keyPrefix?: string;
  /**
   * The key of an agent's presence leases (`RedisPresence`); when set, `put` reports whether
   * another node holds the recipient. It must share the mailbox keys' hash tag (`{agentId}`).
   */
  presenceKey?: (agentId: string) => string;
  now?: () => number;
}

export class RedisMailbox implements Mailbox {
  readonly #limits: MailboxLimits;
  readonly #prefix: string;
  readonly #now: () => number;
  readonly #presenceKey: ((agentId: string) => string) | undefined;

  constructor(
    private readonly redis: Redis,
    options: RedisMailboxOptions = {},
  ) {
    const { keyPrefix, now, presenceKey, ...limits } = options;
    this.#limits = { ...DEFAULT_MAILBOX_LIMITS, ...limits };
    this.#prefix = keyPrefix ?? '';
    this.#now = now ?? Date.now;
    this.#presenceKey = presenceKey;
  }

  async put(envelope: Envelope, node?: string): Promise<PutResult> {
    const json = JSON.stringify(envelope);
    const now = this.#now();
    const expiresAt = now + this.#limits.ttlMs;
    const keys = this.#keys(envelope.to);
    const where = node !== undefined && this.#presenceKey;
    if (where) keys.push(where(envelope.to));
    const [status, depth, elsewhere] = (await PUT.run(this.redis, keys, [
      envelope.id,
      `${expiresAt}|${json}`,
      envelopeBytes(json),
      this.#limits.maxCount,
      this.#limits.maxBytes,
      this.#limits.ttlMs,
      now,
      node ?? '',
    ])) as [number, number, number?];
    if (status !== 1) return { status: status === 0 ? 'duplicate' : 'full', depth };
    return where ? { status: 'stored', depth, elsewhere: elsewhere === 1 } : { status: 'stored', depth };
  }

  async pending(agentId: string, limit = 1000): Promise<Envelope[]> {
    const out = (await PENDING.run(this.redis, this.#keys(agentId), [this.#now(), limit])) as string[];
    return out.map((json) => JSON.parse(json) as Envelope);
  }

  async ack(agentId: string, id: string): Promise<boolean> {
    return (await ACK.run(this.redis, this.#keys(agentId), [id])) === 1;
  }

  async depth(agentId: string): Promise<number> {
    return (await DEPTH.run(this.redis, this.#keys(agentId), [this.#now()])) as number;
  }

  /** The connection belongs to whoever made it; closing the mailbox leaves it open. */
  async close(): Promise<void> {}

  #keys(agentId: string): string[] {
    const tag = `${this.#prefix}mbx:{${agentId}}`;
    return [`${tag}:q`, `${tag}:e`, `${tag}:m`];
  }
}
