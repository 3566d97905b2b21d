// Several real relay processes sharing one Redis (NOD*): what a load balancer in front of N
// nodes looks like to clients.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisMailbox } from './mailbox';
import type { Receipt } from './protocol';
import {
  aliceAndBob,
  envelopeId,
  inbox,
  login,
  makeAgent,
  makePrekeyUpload,
  openSocket,
  payloadOf,
  receiptsOf,
  request,
  type ClientSocket,
} from './test-client';
import { startRedis, type TestRedis } from './testing/redis-server';
import { startRelayProcess, type RelayProcess } from './testing/relay-process';

let redis: TestRedis;
let client: Redis;
let nodes: RelayProcess[] = [];
const sockets: ClientSocket[] = [];
const PREFIX = 'cluster:';

const open = async (node: RelayProcess) => {
  const socket = await openSocket(node.url);
  sockets.push(socket);
  return socket;
};

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  nodes = await Promise.all(
    [1, 2, 3].map(() => startRelayProcess({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX })),
  );
}, 60_000);

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
  client?.disconnect();
  await redis?.stop();
});

describe('many nodes', () => {
  // How soon (milliseconds) is measured by `npm run bench:relay` (two nodes + Redis), not asserted
  // here: a test's outcome must not depend on how busy the machine is.
  it('[NOD1] pushes each envelope sent on one node to the recipient on another, in order', async () => {
    const { alice, bob, a, bobInbox } = await aliceAndBob(
      () => open(nodes[0]!),
      () => open(nodes[1]!),
    );
    const { receipts, send } = receiptsOf(a);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = envelopeId();
      ids.push(id);
      expect(await send({ id, to: bob.agentId, payload: payloadOf(`m${i}`) })).toMatchObject({
        ok: true,
        id,
      });
      // Pushed while Bob is connected, not found later by a drain: each arrives before the next leaves.
      await bobInbox.waitFor(i + 1);
    }
    expect(bobInbox.received.map((e) => e.id)).toEqual(ids);
    expect(bobInbox.received.map((e) => e.from)).toEqual(Array(20).fill(alice.agentId));
    // [MBX5] the sender hears of each delivery, once, on its own node.
    await expect.poll(() => receipts.length).toBe(20);
    expect(new Set(receipts.map((r) => r.id)).size).toBe(20);
    expect(receipts[0]).toMatchObject({ to: bob.agentId, status: 'delivered' });
    const mailbox = new RedisMailbox(client, { keyPrefix: PREFIX });
    await expect.poll(() => mailbox.depth(bob.agentId)).toBe(0);
  });

  it('[NOD3] publishes to Redis only when another node holds the recipient or the sender', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    // Watches every agent channel, as a node would: what the relays publish for these two.
    const watcher = new Redis(redis.url);
    const published: string[] = [];
    watcher.on('pmessage', (_pattern: string, channel: string) => published.push(channel));
    await watcher.psubscribe(`${PREFIX}a:*`);
    try {
      const a = await open(nodes[0]!);
      const b1 = await open(nodes[0]!);
      await login(a, alice);
      const first = inbox(b1);
      await login(b1, bob);
      const receipts: Receipt[] = [];
      a.on('receipt', (r) => receipts.push(...r));
      const mine = (channel: string) => channel.endsWith(bob.agentId) || channel.endsWith(alice.agentId);

      // Everyone on node 1: delivered and receipted in-process, nothing published.
      await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: payloadOf('local') });
      await first.waitFor(1);
      await expect.poll(() => receipts.length).toBe(1);
      // A marker through Redis: once it arrives, anything published before it has too.
      await client.publish(`${PREFIX}a:marker`, 'x');
      await expect.poll(() => published.includes(`${PREFIX}a:marker`)).toBe(true);
      expect(published.filter(mine)).toEqual([]);

      // Bob also on node 2: the envelope must cross, and both of his connections get it.
      const b2 = await open(nodes[1]!);
      const second = inbox(b2);
      await login(b2, bob);
      const id = envelopeId();
      await request(a, 'send', { id, to: bob.agentId, payload: payloadOf('both') });
      await second.waitFor(1);
      expect(second.received.map((e) => e.id)).toEqual([id]);
      // The login's drain may hand it to node 2 before the watcher hears the publish: wait for it.
      await expect.poll(() => published).toContain(`${PREFIX}a:${bob.agentId}`);
    } finally {
      watcher.disconnect();
    }
  });

  it('[NOD2] keeps mail sent through one node for a recipient who later connects to another', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open(nodes[0]!);
    await login(a, alice);
    const ids = Array.from({ length: 5 }, envelopeId);
    for (const id of ids) await request(a, 'send', { id, to: bob.agentId, payload: payloadOf(id) });
    a.disconnect();
    const b = await open(nodes[2]!);
    const got = inbox(b);
    await login(b, bob);
    expect((await got.waitFor(5)).map((e) => e.id)).toEqual(ids);
  });

  it('[PRS2] tells a watcher on one node when an agent comes online and leaves on another', async () => {
    const carol = makeAgent();
    const dave = makeAgent();
    const c = await open(nodes[0]!);
    await login(c, carol);
    const seen: unknown[] = [];
    c.on('presence', (state) => seen.push(state));
    expect(await request(c, 'presence:subscribe', { agentIds: [dave.agentId] })).toEqual({
      ok: true,
      presence: [{ agentId: dave.agentId, online: false }],
    });
    const d = await open(nodes[1]!);
    await login(d, dave);
    await expect.poll(() => seen).toContainEqual({ agentId: dave.agentId, online: true });
    // A fresh watcher on a third node reads the shared state.
    const e = await open(nodes[2]!);
    await login(e, makeAgent());
    expect(await request(e, 'presence:subscribe', { agentIds: [dave.agentId] })).toMatchObject({
      presence: [{ online: true }],
    });
    d.disconnect();
    await expect.poll(() => seen.at(-1)).toEqual({ agentId: dave.agentId, online: false });
  });

  it('[PRK2] hands out each one-time prekey once, whichever nodes the fetches reach', async () => {
    const owner = makeAgent();
    const o = await open(nodes[0]!);
    await login(o, owner);
    const upload = makePrekeyUpload(owner, { oneTime: 10 });
    expect(await request(o, 'prekeys:publish', upload)).toEqual({ ok: true, oneTimePrekeys: 10 });
    const fetchers = await Promise.all(
      nodes.map(async (node) => {
        const s = await open(node);
        await login(s, makeAgent());
        return s;
      }),
    );
    const bundles = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        request(fetchers[i % 3]!, 'prekeys:fetch', { agentId: owner.agentId }),
      ),
    );
    const ids = bundles.map((b) => b.bundle.oneTimePrekey.id);
    expect(new Set(ids.filter((id) => id !== upload.lastResortPrekey.id)).size).toBe(10);
    expect(await request(o, 'prekeys:count', {})).toEqual({ ok: true, oneTimePrekeys: 0 });
  });
});
