// One contract, run against every PrekeyStore implementation (prekey-store.test.ts).
import { describe, expect, it } from 'vitest';
import { makeAgent, makePrekeyUpload } from '../test-client';
import { MAX_ONE_TIME_PREKEYS, type PrekeyStore } from './prekey-store';

export function prekeyStoreContract(name: string, create: () => Promise<PrekeyStore>): void {
  describe(`PrekeyStore contract: ${name}`, () => {
    it('[PRK2] hands out each one-time prekey once, oldest first, then the last-resort one', async () => {
      const store = await create();
      const agent = makeAgent();
      const upload = makePrekeyUpload(agent, { oneTime: 2 });
      expect(await store.publish(upload)).toBe(2);
      const first = await store.take(agent.agentId);
      expect(first).toEqual({
        v: 1,
        agentId: agent.agentId,
        signedPrekey: upload.signedPrekey,
        oneTimePrekey: upload.oneTimePrekeys[0],
      });
      expect((await store.take(agent.agentId))?.oneTimePrekey).toEqual(upload.oneTimePrekeys[1]);
      expect(await store.count(agent.agentId)).toBe(0);
      for (let i = 0; i < 2; i++) {
        expect((await store.take(agent.agentId))?.oneTimePrekey).toEqual(upload.lastResortPrekey);
      }
    });

    it('[PRK2] never gives the same one-time prekey to two concurrent fetches', async () => {
      const store = await create();
      const agent = makeAgent();
      const upload = makePrekeyUpload(agent, { oneTime: 50 });
      await store.publish(upload);
      const bundles = await Promise.all(Array.from({ length: 60 }, () => store.take(agent.agentId)));
      const ids = bundles.map((b) => b!.oneTimePrekey!.id);
      const oneTimeIds = ids.filter((id) => id !== upload.lastResortPrekey.id);
      expect(new Set(oneTimeIds).size).toBe(50);
      expect(ids.length - oneTimeIds.length).toBe(10);
    });

    it('[PRK3] replaces the signed and last-resort prekeys, appends one-time ones, caps the pool', async () => {
      const store = await create();
      const agent = makeAgent();
      await store.publish(makePrekeyUpload(agent, { oneTime: 2 }));
      const second = makePrekeyUpload(agent, { oneTime: 3 });
      expect(await store.publish(second)).toBe(5);
      const bundle = await store.take(agent.agentId);
      expect(bundle?.signedPrekey).toEqual(second.signedPrekey);
      expect(await store.count(agent.agentId)).toBe(4);

      const many = makePrekeyUpload(agent, { oneTime: 1000 });
      expect(await store.publish(many)).toBe(MAX_ONE_TIME_PREKEYS);
      // The oldest were dropped: the next one handed out is the first of the newest upload.
      expect((await store.take(agent.agentId))?.oneTimePrekey).toEqual(many.oneTimePrekeys[0]);
    });

    it('[PRK4] answers null for an agent that never published, and keeps agents apart', async () => {
      const store = await create();
      const alice = makeAgent();
      const bob = makeAgent();
      await store.publish(makePrekeyUpload(alice, { oneTime: 1 }));
      expect(await store.take(bob.agentId)).toBeNull();
      expect(await store.count(bob.agentId)).toBe(0);
      expect(await store.count(alice.agentId)).toBe(1);
    });
  });
}
