// Test helper: a private Redis for one test file (started before its tests, stopped after),
// and a client connected to it.
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from './redis-server';

export interface RedisFixture {
  readonly client: Redis;
  readonly server: TestRedis;
}

export function useTestRedis(): RedisFixture {
  let server: TestRedis | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url);
  }, 30_000);
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });
  return {
    get client() {
      if (!client) throw new Error('the test Redis is not started yet (use it inside a test)');
      return client;
    },
    get server() {
      if (!server) throw new Error('the test Redis is not started yet (use it inside a test)');
      return server;
    },
  };
}
