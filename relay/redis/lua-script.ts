import { createHash } from 'node:crypto';
import type { RedisClient } from './connect';

/**
 * A Lua script run by its SHA (EVALSHA), loaded on first use and again after a Redis restart
 * (NOSCRIPT). Scripts are what make a mailbox or prekey update atomic: Redis runs each one
 * without interleaving other commands.
 */
export class LuaScript {
  readonly #sha: string;

  constructor(private readonly source: string) {
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number | Buffer)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      // Only a script Redis does not hold (first use, or after a restart) is handled: load and run it.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
