import { Cluster } from 'ioredis';
import { envelopeJson, type Envelope } from '../protocol';
import type { RedisClient } from '../redis';
import { LuaScript } from '../redis';
import {
  DEFAULT_MAILBOX_LIMITS,
  fulfilled,
  rejected,
  settledValue,
  type AckRequest,
  type Mailbox,
  type MailboxLimits,
  type PutRequest,
  type PutResult,
} from './mailbox';

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

// Helpers shared by the scripts; a mailbox is named by its three keys (q, e, m).
const REMOVE = `
local function remove(q, e, m, id, rec)
  redis.call('HDEL', e, id)
  redis.call('ZREM', q, id)
  if rec then
    local sep = string.find(rec, '|', 1, true)
    redis.call('HINCRBY', m, 'bytes', -(#rec - sep))
  end
end
local function expired(rec, now)
  local sep = string.find(rec, '|', 1, true)
  return tonumber(string.sub(rec, 1, sep - 1)) <= now, sep
end
local function purge_front(q, e, m, now, budget)
  local ids = redis.call('ZRANGE', q, 0, budget - 1)
  for _, id in ipairs(ids) do
    local rec = redis.call('HGET', e, id)
    if not rec then remove(q, e, m, id, nil)
    elseif expired(rec, now) then remove(q, e, m, id, rec)
    else return end
  end
end
local function drop_if_empty(q, e, m)
  if redis.call('ZCARD', q) == 0 then redis.call('DEL', q, e, m) end
end
`;

// Stores batches of envelopes for several recipients (DLV3), each batch judged in order as if
// each envelope were put alone, and each recipient's after the one before it.
// KEYS: per recipient q, e, m, then (when ARGV[7] is 1) its presence leases (node id scored by
//   lease expiry; same hash tag, so same slot).
// ARGV: maxCount, maxBytes, ttlMs, now, node, expiresAt, leases (1/0), then per recipient: n,
//   then per envelope: id, JSON, bytes
//   → per recipient: elsewhere (1 when a node other than ARGV[5] holds a live lease; only
//     meaningful when one was stored), then per envelope: status (1 stored, 0 duplicate, 2 full), depth
// Reading the leases in the same script as the write is what lets a node skip the pub/sub
// publish: a node that registers its lease after this script ran drains the mailbox after
// registering, so it reads these envelopes; one registered before is reported here (NOD3).
const PUT = new LuaScript(`${REMOVE}
local max_count, max_bytes, ttl, now = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local node, prefix, leases = ARGV[5], ARGV[6] .. '|', ARGV[7] == '1'
local out = {}

local function elsewhere(lease)
  if not lease then return 1 end
  for _, holder in ipairs(redis.call('ZRANGEBYSCORE', lease, now, '+inf')) do
    if holder ~= node then return 1 end
  end
  return 0
end

-- One recipient's batch: ARGV[a + 1 .. a + 3n]. Count, bytes and sequence are read once and
-- kept here; bytes added are written back before a purge (which updates them itself) and at the end.
local function put(q, e, m, lease, a, n)
  local count = redis.call('ZCARD', q)
  local meta = redis.call('HMGET', m, 'bytes', 'seq')
  local bytes, seq = tonumber(meta[1] or '0'), tonumber(meta[2] or '0')
  local added = 0
  local function write_bytes()
    if added ~= 0 then redis.call('HINCRBY', m, 'bytes', added) end
    added = 0
  end
  local at, stored, purged = #out + 1, false, false
  out[at] = 0
  for i = a + 1, a + 3 * n, 3 do
    local id, size = ARGV[i], tonumber(ARGV[i + 2])
    if redis.call('HEXISTS', e, id) == 1 then
      out[#out + 1] = 0
      out[#out + 1] = count
    else
      local full = count + 1 > max_count or bytes + size > max_bytes
      if full and not purged then
        write_bytes()
        purge_front(q, e, m, now, 100)
        purged = true
        count = redis.call('ZCARD', q)
        bytes = tonumber(redis.call('HGET', m, 'bytes') or '0')
        full = count + 1 > max_count or bytes + size > max_bytes
      end
      if full then
        out[#out + 1] = 2
        out[#out + 1] = count
      else
        seq, count, bytes, added = seq + 1, count + 1, bytes + size, added + size
        redis.call('ZADD', q, seq, id)
        redis.call('HSET', e, id, prefix .. ARGV[i + 1])
        stored = true
        out[#out + 1] = 1
        out[#out + 1] = count
      end
    end
  end
  if stored then
    write_bytes()
    redis.call('HSET', m, 'seq', seq)
    for _, key in ipairs({q, e, m}) do redis.call('PEXPIRE', key, ttl) end
    out[at] = elsewhere(lease)
  end
end

local k, a, width = 1, 8, leases and 4 or 3
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  put(KEYS[k], KEYS[k + 1], KEYS[k + 2], leases and KEYS[k + 3] or nil, a, n)
  k, a = k + width, a + 1 + 3 * n
end
return out
`);

// ARGV: now, limit → envelope JSON strings, oldest first; expired ones are removed on the way.
const PENDING = new LuaScript(`${REMOVE}
local q, e, m = KEYS[1], KEYS[2], KEYS[3]
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local out, start = {}, 0
while #out < limit do
  local ids = redis.call('ZRANGE', q, start, start + limit - 1)
  if #ids == 0 then break end
  local removed = 0
  for _, id in ipairs(ids) do
    local rec = redis.call('HGET', e, id)
    if not rec then remove(q, e, m, id, nil); removed = removed + 1
    else
      local old, sep = expired(rec, now)
      if old then remove(q, e, m, id, rec); removed = removed + 1
      elseif #out < limit then out[#out + 1] = string.sub(rec, sep + 1) end
    end
  end
  start = start + #ids - removed
end
drop_if_empty(q, e, m)
return out
`);

// Forgets acknowledged envelopes of several recipients.
// KEYS: per recipient q, e, m. ARGV: per recipient: n, then n ids
//   → per recipient: how many of its ids were held (and are now removed), then those ids, each
//     once however often it was named.
// A record's size is read with HSTRLEN (its prefix has a fixed width, PREFIX_CHARS) rather than
// copied into Lua with HGET.
const ACK = new LuaScript(`
local out, a = {}, 1
for k = 1, #KEYS, 3 do
  local q, e, m = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  local n = tonumber(ARGV[a])
  local removed, seen, freed = {}, {}, 0
  for i = a + 1, a + n do
    local id = ARGV[i]
    local len = not seen[id] and redis.call('HSTRLEN', e, id) or 0
    if len > 0 then
      seen[id] = true
      removed[#removed + 1] = id
      freed = freed + len - ${PREFIX_CHARS}
    end
  end
  a = a + 1 + n
  out[#out + 1] = #removed
  if #removed > 0 then
    redis.call('HDEL', e, unpack(removed))
    redis.call('ZREM', q, unpack(removed))
    redis.call('HINCRBY', m, 'bytes', -freed)
    if redis.call('ZCARD', q) == 0 then redis.call('DEL', q, e, m) end
    for _, id in ipairs(removed) do out[#out + 1] = id end
  end
end
return out
`);

// ARGV: now → depth after dropping expired envelopes at the front.
const DEPTH = new LuaScript(`${REMOVE}
local q, e, m = KEYS[1], KEYS[2], KEYS[3]
purge_front(q, e, m, tonumber(ARGV[1]), 1000)
drop_if_empty(q, e, m)
return redis.call('ZCARD', q)
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
    return settledValue((await this.putMany([{ to, envelopes }], node))[0]!);
  }

  async putMany(
    requests: readonly PutRequest[],
    node?: string,
  ): Promise<PromiseSettledResult<PutResult[]>[]> {
    for (const { to, envelopes } of requests) {
      if (envelopes.some((e) => e.to !== to)) throw new Error('putMany: every envelope must be for its `to`');
    }
    return this.#byScript(
      requests,
      (r) => r.to,
      (group) => this.#put(group, node),
    );
  }

  async #put(requests: readonly PutRequest[], node: string | undefined): Promise<PutResult[][]> {
    const now = this.#now();
    // Fixed width, so a record's size is its length less PREFIX_CHARS (ACK relies on it).
    const expiresAt = String(now + this.#limits.ttlMs).padStart(EXPIRY_DIGITS, '0');
    const where = node !== undefined && this.#presenceKey;
    const keys: string[] = [];
    const args: (string | number | Buffer)[] = [
      this.#limits.maxCount,
      this.#limits.maxBytes,
      this.#limits.ttlMs,
      now,
      node ?? '',
      expiresAt,
      where ? 1 : 0,
    ];
    for (const { to, envelopes } of requests) {
      keys.push(...this.#keys(to));
      if (where) keys.push(where(to));
      args.push(envelopes.length);
      for (const envelope of envelopes) {
        // As bytes: ioredis then writes the command as buffers instead of concatenating one string
        // per command and one per pipeline, and the record waits for Redis outside the JS heap.
        // Latin-1 is UTF-8 here: envelope JSON is ASCII by its schema, and copying is cheaper than encoding.
        const json = Buffer.from(envelopeJson(envelope), 'latin1');
        args.push(envelope.id, json, json.length);
      }
    }
    const out = (await PUT.run(this.redis, keys, args)) as number[];
    let at = 0;
    return requests.map(({ envelopes }) => {
      const elsewhere = out[at++] === 1;
      return envelopes.map((): PutResult => {
        const status = out[at++]!;
        const depth = out[at++]!;
        if (status !== 1) return { status: status === 0 ? 'duplicate' : 'full', depth };
        return where ? { status: 'stored', depth, elsewhere } : { status: 'stored', depth };
      });
    });
  }

  async pending(agentId: string, limit = 1000): Promise<Envelope[]> {
    const out = (await PENDING.run(this.redis, this.#keys(agentId), [this.#now(), limit])) as string[];
    return out.map((json) => JSON.parse(json) as Envelope);
  }

  async ack(agentId: string, ids: readonly string[]): Promise<string[]> {
    return settledValue((await this.ackMany([{ agentId, ids }]))[0]!);
  }

  ackMany(requests: readonly AckRequest[]): Promise<PromiseSettledResult<string[]>[]> {
    return this.#byScript(
      requests,
      (r) => r.agentId,
      (group) => this.#ack(group),
    );
  }

  async #ack(requests: readonly AckRequest[]): Promise<string[][]> {
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const { agentId, ids } of requests) {
      keys.push(...this.#keys(agentId));
      args.push(ids.length, ...ids);
    }
    const out = (await ACK.run(this.redis, keys, args)) as (number | string)[];
    let at = 0;
    return requests.map(() => {
      const n = out[at++] as number;
      at += n;
      return out.slice(at - n, at) as string[];
    });
  }

  async depth(agentId: string): Promise<number> {
    return (await DEPTH.run(this.redis, this.#keys(agentId), [this.#now()])) as number;
  }

  /** The connection belongs to whoever made it; closing the mailbox leaves it open. */
  async close(): Promise<void> {}

  /**
   * Runs `run` once for all requests on a single Redis, and once per agent on a Redis Cluster (a
   * script may only touch keys of one slot, and an agent's keys share its hash tag). Settled per
   * request, in the order given: a script that fails fails only its own requests.
   */
  async #byScript<R, T>(
    requests: readonly R[],
    agentOf: (request: R) => string,
    run: (group: R[]) => Promise<T[]>,
  ): Promise<PromiseSettledResult<T>[]> {
    // Request indices by script: all in one on a single Redis, by agent on a Cluster.
    const groups = new Map<string, number[]>();
    const cluster = this.redis instanceof Cluster;
    requests.forEach((request, i) => {
      const script = cluster ? agentOf(request) : '';
      let group = groups.get(script);
      if (!group) groups.set(script, (group = []));
      group.push(i);
    });
    const settled: PromiseSettledResult<T>[] = new Array(requests.length);
    await Promise.all(
      [...groups.values()].map((indices) =>
        run(indices.map((i) => requests[i]!)).then(
          (values) => indices.forEach((i, k) => (settled[i] = fulfilled(values[k]!))),
          (reason: unknown) => indices.forEach((i) => (settled[i] = rejected(reason))),
        ),
      ),
    );
    return settled;
  }

  #keys(agentId: string): string[] {
    const tag = `${this.#prefix}mbx:{${agentId}}`;
    return [`${tag}:q`, `${tag}:e`, `${tag}:m`];
  }
}
