import { describe, expect, it } from 'vitest';
import { presenceKey } from '../presence';
import { useTestRedis } from '../testing/redis-fixture';
import { mailboxContract } from './mailbox.contract';
import { MemoryMailbox } from './memory-mailbox';
import { RedisMailbox } from './redis-mailbox';

const db = useTestRedis();
let n = 0;

mailboxContract('MemoryMailbox', { create: async (options) => new MemoryMailbox(options) });
// Each mailbox gets its own key prefix, so runs never see each other's mail.
mailboxContract('RedisMailbox', {
  create: async (options) => new RedisMailbox(db.client, { ...options, keyPrefix: `t${++n}:` }),
});

describe('RedisMailbox with presence leases', () => {
  const to = 'B'.repeat(43);
  const envelope = (id: string) => ({ id, from: 'A'.repeat(43), to, payload: 'AAAA', sentAt: 0 });

  it('[NOD3] reports, in the same step as the write, whether a node other than the writer holds the recipient', async () => {
    const prefix = `p${++n}:`;
    let now = 1_000;
    const box = new RedisMailbox(db.client, {
      keyPrefix: prefix,
      now: () => now,
      presenceKey: (agentId) => presenceKey(prefix, agentId),
    });
    expect(await box.put(envelope('id-00001'), 'node-1')).toMatchObject({ elsewhere: false });
    await db.client.zadd(presenceKey(prefix, to), 2_000, 'node-1');
    expect(await box.put(envelope('id-00002'), 'node-1')).toMatchObject({ elsewhere: false });
    await db.client.zadd(presenceKey(prefix, to), 2_000, 'node-2');
    expect(await box.put(envelope('id-00003'), 'node-1')).toMatchObject({ elsewhere: true });
    // node-2's lease ran out (it died without leaving): no longer counted.
    now = 2_001;
    expect(await box.put(envelope('id-00004'), 'node-1')).toMatchObject({ elsewhere: false });
    // Without a node the mailbox cannot tell, and says nothing.
    expect(await box.put(envelope('id-00005'))).toEqual({ status: 'stored', depth: 5 });
  });
});
