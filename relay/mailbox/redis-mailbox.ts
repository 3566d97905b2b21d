import type { RedisClient } from '../redis';
import { envelopeJson, type Envelope } from '../protocol';
import { LuaScript } from '../redis';
import { DEFAULT_MAILBOX_LIMITS, type Mailbox, type MailboxLimits, type PutResult } from './mailbox';

/*
 * One mailbox is three keys sharing a hash tag (so Redis Cluster keeps them on one slot):
 *   q  sorted set  envelope id, scored by an arrival sequence number (delivery order)
 *   e  hash        envelope id → "<expiresAt, 15 digits>|<envelope JSON>"
 *   m  hash        seq (the counter), bytes (sum of the held envelopes' JSON sizes)
 * All three carry the TTL, pushed forward by every put, so an abandoned mailbox disappears.
 * Each operation is one Lua script: Redis runs it atomically, and with appendonly + fsync the
 * reply to `put` (and so the sender's ack) comes after the write is in the log.
 */

/** Digits of the expiry that prefixes each record ("<expiresAt>|"): ms until the year 33658. */
const EXPIRY_DIGITS = 15;
const PREFIX_CHARS = EXPIRY_DIGITS + 1;

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
// ARGV: maxCount, maxBytes, ttlMs, now, node, expiresAt, then per envelope: id, JSON, bytes
//   → {elsewhere (1 when a node other than ARGV[5] holds a live lease), then per envelope:
//      status (1 stored, 0 duplicate, 2 full), depth}
// One call stores a batch of envelopes for one recipient, each judged in order as if put alone.
// Reading the leases in the same script as the write is what lets a node skip the pub/sub
// publish: a node that registers its lease after this script ran drains the mailbox after
// registering, so it reads these envelopes; one registered before is reported here (NOD3).
const PUT = new LuaScript(`${REMOVE}
local max_count, max_bytes, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local prefix = ARGV[6] .. '|'
local function elsewhere()
  if not KEYS[4] then return 1 end
  for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], now, '+inf')) do
    if node ~= ARGV[5] then return 1 end
  end
  return 0
end
-- Count, bytes and sequence are read once and kept here; bytes added are written back before a
-- purge (which updates them itself) and at the end.
local count = redis.call('ZCARD', KEYS[1])
local meta = redis.call('HMGET', KEYS[3], 'bytes', 'seq')
local bytes, seq = tonumber(meta[1] or '0'), tonumber(meta[2] or '0')
local added = 0
local function write_bytes()
  if added ~= 0 then redis.call('HINCRBY', KEYS[3], 'bytes', added) end
  added = 0
end
local out, stored, purged = {0}, false, false
for i = 7, #ARGV, 3 do
  local id, size = ARGV[i], tonumber(ARGV[i + 2])
  if redis.call('HEXISTS', KEYS[2], id) == 1 then
    out[#out + 1] = 0
    out[#out + 1] = count
  else
    local full = count + 1 > max_count or bytes + size > max_bytes
    if full and not purged then
      write_bytes()
      purge_front(now, 100)
      purged = true
      count = redis.call('ZCARD', KEYS[1])
      bytes = tonumber(redis.call('HGET', KEYS[3], 'bytes') or '0')
      full = count + 1 > max_count or bytes + size > max_bytes
    end
    if full then
      out[#out + 1] = 2
      out[#out + 1] = count
    else
      seq, count, bytes, added = seq + 1, count + 1, bytes + size, added + size
      redis.call('ZADD', KEYS[1], seq, id)
      redis.call('HSET', KEYS[2], id, prefix .. ARGV[i + 1])
      stored = true
      out[#out + 1] = 1
      out[#out + 1] = count
    end
  end
end
if stored then
  write_bytes()
  redis.call('HSET', KEYS[3], 'seq', seq)
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
  out[1] = elsewhere()
end
return out
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

// ARGV: ids → the ids that were held (and are now removed). A record's size is read with
// HSTRLEN (its prefix has a fixed width, PREFIX_CHARS) rather than copied into Lua with HGET.
const ACK = new LuaScript(`
local removed, freed = {}, 0
for _, id in ipairs(ARGV) do
  local len = redis.call('HSTRLEN', KEYS[2], id)
  if len > 0 then
    removed[#removed + 1] = id
    freed = freed + len - ${PREFIX_CHARS}
  end
end
if #removed > 0 then
  redis.call('HDEL', KEYS[2], unpack(removed))
  redis.call('ZREM', KEYS[1], unpack(removed))
  redis.call('HINCRBY', KEYS[3], 'bytes', -freed)
  if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
end
return removed
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
    private readonly redis: RedisClient,
    options: RedisMailboxOptions = {},
  ) {
    const { keyPrefix, now, presenceKey, ...limits } = options;
    this.#limits = { ...DEFAULT_MAILBOX_LIMITS, ...limits };
    this.#prefix = keyPrefix ?? '';
    this.#now = now ?? Date.now;
    this.#presenceKey = presenceKey;
  }

  async put(envelope: Envelope, node?: string): Promise<PutResult> {
    return (await this.putBatch(envelope.to, [envelope], node))[0]!;
  }

  async putBatch(to: string, envelopes: readonly Envelope[], node?: string): Promise<PutResult[]> {
    const now = this.#now();
    // Fixed width, so a record's size is its length less PREFIX_CHARS (ACK relies on it).
    const expiresAt = String(now + this.#limits.ttlMs).padStart(EXPIRY_DIGITS, '0');
    const keys = this.#keys(to);
    const where = node !== undefined && this.#presenceKey;
    if (where) keys.push(where(to));
    const args: (string | number | Buffer)[] = [
      this.#limits.maxCount,
      this.#limits.maxBytes,
      this.#limits.ttlMs,
      now,
      node ?? '',
      expiresAt,
    ];
    for (const envelope of envelopes) {
      if (envelope.to !== to) throw new Error('putBatch: every envelope must be for `to`');
      // As bytes: ioredis then writes the command as buffers instead of concatenating one string
      // per command and one per pipeline, and the record waits for Redis outside the JS heap.
      // Latin-1 is UTF-8 here: envelope JSON is ASCII by its schema, and copying is cheaper than encoding.
      const json = Buffer.from(envelopeJson(envelope), 'latin1');
      args.push(envelope.id, json, json.length);
    }
    const [elsewhere, ...out] = (await PUT.run(this.redis, keys, args)) as number[];
    return envelopes.map((_, i): PutResult => {
      const status = out[2 * i]!;
      const depth = out[2 * i + 1]!;
      if (status !== 1) return { status: status === 0 ? 'duplicate' : 'full', depth };
      return where ? { status: 'stored', depth, elsewhere: elsewhere === 1 } : { status: 'stored', depth };
    });
  }

  async pending(agentId: string, limit = 1000): Promise<Envelope[]> {
    const out = (await PENDING.run(this.redis, this.#keys(agentId), [this.#now(), limit])) as string[];
    return out.map((json) => JSON.parse(json) as Envelope);
  }

  async ack(agentId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return (await ACK.run(this.redis, this.#keys(agentId), [...ids])) as string[];
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
