import { describe, expect, it } from 'vitest';
import { useTestRedis } from '../testing/redis-fixture';
import { RedisPresence } from './presence-registry';

const db = useTestRedis();
let n = 0;

describe('RedisPresence', () => {
  const agent = 'A'.repeat(43);

  it('[NOD4] reuses where an agent is for a second, then reads the leases again', async () => {
    let clock = 1_000_000;
    const prefix = `pr${++n}:`;
    const options = { prefix, now: () => clock, elsewhereCacheMs: 1000 };
    const here = new RedisPresence(db.client, 'node-1', options);
    const there = new RedisPresence(db.client, 'node-2', options);
    try {
      await here.up(agent);
      expect(await here.elsewhere(agent)).toBe(false);
      await there.up(agent);
      // Within the second: the earlier answer stands (a receipt may go unpublished).
      clock += 999;
      expect(await here.elsewhere(agent)).toBe(false);
      clock += 1;
      expect(await here.elsewhere(agent)).toBe(true);
      // Lookups in flight at once share one answer.
      clock += 1000;
      const [x, y] = [here.elsewhere(agent), here.elsewhere(agent)];
      expect(x).toBe(y);
      expect(await x).toBe(true);
    } finally {
      await here.close();
      await there.close();
    }
  });
});
