import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from '../testing/redis-server';
import { mailboxContract } from './mailbox.contract';
import { MemoryMailbox } from './memory-mailbox';
import { RedisMailbox } from './redis-mailbox';

let server: TestRedis;
let redis: Redis;
let n = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
}, 30_000);

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

mailboxContract('MemoryMailbox', { create: async (options) => new MemoryMailbox(options) });
// Each mailbox gets its own key prefix, so runs never see each other's mail.
mailboxContract('RedisMailbox', {
  create: async (options) => new RedisMailbox(redis, { ...options, keyPrefix: `t${++n}:` }),
});
