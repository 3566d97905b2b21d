import { beforeAll, describe, expect, it } from 'vitest';
import { decrypt, encrypt } from './session';
import { InMemorySessionStore } from './session-store';
import { loadSodium } from './sodium';
import { connectedPair, read, text } from './test-support';

beforeAll(async () => {
  await loadSodium();
});

describe('InMemorySessionStore', () => {
  it('[SES1] stores, loads (as an independent copy), lists and deletes sessions', async () => {
    const store = new InMemorySessionStore();
    const { aliceSession, bobSession, bob } = connectedPair();
    expect(await store.loadSession(bob.agentId)).toBeUndefined();
    await store.storeSession(bob.agentId, aliceSession);
    const loaded = await store.loadSession(bob.agentId);
    expect(loaded).toEqual(aliceSession);
    expect(loaded).not.toBe(aliceSession);
    expect(await store.listRemoteAgentIds()).toEqual([bob.agentId]);
    // A worker restart: the stored session keeps the conversation going.
    const sent = encrypt(loaded!, text('after restart'));
    expect(read(decrypt(bobSession, sent.message).plaintext)).toBe('after restart');
    await store.deleteSession(bob.agentId);
    expect(await store.loadSession(bob.agentId)).toBeUndefined();
  });
});
