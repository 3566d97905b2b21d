import type { RedisClient } from '../redis';
import type { OneTimePrekeyWire, PrekeyBundleWire, PrekeyUploadWire, SignedPrekeyWire } from '../protocol';
import { LuaScript } from '../redis';
import { MAX_ONE_TIME_PREKEYS, type PrekeyStore } from './prekey-store';

/*
 * Per agent, two keys under one hash tag:
 *   b  hash  signed → JSON, lastResort → JSON
 *   o  list  one-time prekeys (JSON), oldest first
 * A fetch pops one one-time prekey in the same script that reads the signed one, so two
 * initiators never get the same one-time prekey (PRK2).
 */

// ARGV: signed, lastResort, max, ...oneTime → count
const PUBLISH = new LuaScript(`
redis.call('HSET', KEYS[1], 'signed', ARGV[1], 'lastResort', ARGV[2])
for i = 4, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
return redis.call('LLEN', KEYS[2])
`);

// → false when never published, else {signed, oneTime or lastResort}
const TAKE = new LuaScript(`
local signed = redis.call('HGET', KEYS[1], 'signed')
if not signed then return false end
local one = redis.call('LPOP', KEYS[2])
if not one then one = redis.call('HGET', KEYS[1], 'lastResort') end
return {signed, one}
`);

export class RedisPrekeyStore implements PrekeyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix = '',
  ) {}

  async publish(upload: PrekeyUploadWire): Promise<number> {
    return (await PUBLISH.run(this.redis, this.#keys(upload.agentId), [
      JSON.stringify(upload.signedPrekey),
      JSON.stringify(upload.lastResortPrekey),
      MAX_ONE_TIME_PREKEYS,
      ...upload.oneTimePrekeys.map((k) => JSON.stringify(k)),
    ])) as number;
  }

  async take(agentId: string): Promise<PrekeyBundleWire | null> {
    const found = (await TAKE.run(this.redis, this.#keys(agentId), [])) as [string, string] | null;
    if (!found) return null;
    return {
      v: 1,
      agentId,
      signedPrekey: JSON.parse(found[0]) as SignedPrekeyWire,
      oneTimePrekey: JSON.parse(found[1]) as OneTimePrekeyWire,
    };
  }

  async count(agentId: string): Promise<number> {
    return this.redis.llen(this.#keys(agentId)[1]!);
  }

  #keys(agentId: string): string[] {
    const tag = `${this.keyPrefix}pk:{${agentId}}`;
    return [`${tag}:b`, `${tag}:o`];
  }
}
