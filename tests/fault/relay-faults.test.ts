// Faults against real relay processes sharing a real Redis: kill -9 of nodes with envelopes in
// flight, a Redis restart, recipients dropped mid-drain. The invariant each time (MBX7): every
// envelope the relay acknowledged reaches the recipient's application exactly once (the
// application dedupes by envelope id; the relay may deliver twice, never zero times).
import { afterEach, describe, expect, it } from 'vitest';
import { RedisMailbox } from '../../relay/mailbox';
import { login, makeAgent, request } from '../../relay/test-client';
import { startRedis, type TestRedis } from '../../relay/testing/redis-server';
import { startRelayProcess, type RelayProcess } from '../../relay/testing/relay-process';
import { Redis } from 'ioredis';
import { openRaw, Recipient, Sender } from './support';

let redis: TestRedis | undefined;
let nodes: RelayProcess[] = [];
const cleanup: (() => void)[] = [];

// These suites test durability, not rate limits (LIM5 below keeps the defaults).
const FAST = { RELAY_RATE_BURST: '5000', RELAY_RATE_PER_SECOND: '5000' };

async function cluster(
  count: number,
  options: { appendonly?: boolean } = {},
  env: Record<string, string> = FAST,
) {
  redis = await startRedis(options);
  nodes = await Promise.all(
    Array.from({ length: count }, () =>
      startRelayProcess({ ...env, REDIS_URL: redis!.url, REDIS_KEY_PREFIX: 'f:' }),
    ),
  );
  return { redis, nodes };
}

async function depth(agentId: string): Promise<number> {
  const client = new Redis(redis!.url);
  try {
    return await new RedisMailbox(client, { keyPrefix: 'f:' }).depth(agentId);
  } finally {
    client.disconnect();
  }
}

function expectExactlyOnce(sender: Sender, recipient: Recipient, total: number) {
  expect(sender.outbox.size).toBe(0);
  expect(sender.acked.size).toBe(total);
  expect([...sender.acked].filter((id) => !recipient.handled.has(id))).toEqual([]);
  expect([...recipient.handled].filter((id) => !sender.acked.has(id))).toEqual([]);
}

afterEach(async () => {
  cleanup.splice(0).forEach((f) => f());
  await Promise.all(nodes.map((n) => n.kill()));
  await redis?.stop();
  redis = undefined;
});

describe('relay faults', () => {
  it('[MBX7] loses nothing acknowledged when nodes die (kill -9) with envelopes in flight (3,000 sent; the sender’s node killed after 200 acks)', async () => {
    const [n1, n2, n3] = (await cluster(3)).nodes as [RelayProcess, RelayProcess, RelayProcess];
    const recipient = new Recipient(makeAgent());
    const sender = new Sender(makeAgent(), recipient.agent.agentId);
    await recipient.connect(n2.url);
    await sender.connect(n1.url);
    // Enough that the relay cannot have acknowledged them all by the time the kill lands.
    const TOTAL = 3000;
    sender.fill(TOTAL);

    // The sender's node dies a fifth of the way through the acks, and the recipient's node right
    // after it, while the acknowledged envelopes are still being pushed.
    let acks = 0;
    let handledAtKill = 0;
    await new Promise<void>((resolve) => {
      void sender.flush(() => {
        if (++acks !== 200) return;
        void n1.kill('SIGKILL').then(async () => {
          handledAtKill = recipient.handled.size;
          await n2.kill('SIGKILL');
          resolve();
        });
      });
    });
    const ackedAtKill = sender.acked.size;
    expect(handledAtKill).toBeLessThan(TOTAL);
    expect(sender.acked.size).toBeGreaterThanOrEqual(200);
    expect(sender.acked.size).toBeLessThan(TOTAL);

    // Both reconnect to the surviving node; the sender resends what was never acknowledged.
    await recipient.connect(n3.url);
    await sender.connect(n3.url);
    while (sender.outbox.size > 0) await sender.flush();
    await recipient.waitFor(() => recipient.handled.size >= TOTAL);
    expectExactlyOnce(sender, recipient, TOTAL);
    await expect.poll(() => depth(recipient.agent.agentId)).toBe(0);
    console.log(
      `kill -9: ${ackedAtKill} acked and ${handledAtKill} handled when the nodes died; ` +
        `${recipient.deliveries} deliveries for ${TOTAL} envelopes (${recipient.duplicates} redelivered)`,
    );
  });

  it('[MBX7][OBS3] keeps acknowledged mail across a Redis restart (appendonly), answers `unavailable` while Redis is down, and serves again after it', async () => {
    const { nodes: ns } = await cluster(2, { appendonly: true });
    const recipient = new Recipient(makeAgent());
    const sender = new Sender(makeAgent(), recipient.agent.agentId);
    await sender.connect(ns[0]!.url);
    sender.fill(300);
    await sender.flush();
    expect(sender.acked.size).toBe(300);

    await redis!.kill();
    // While Redis is down a send is refused with a code the outbox retries, not left hanging.
    const during = await request(sender.socket as never, 'send', {
      id: 'during-outage-1',
      to: recipient.agent.agentId,
      payload: 'AAAA',
    });
    expect(during).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await redis!.restart();

    // The recipient, on the other node, gets all 300 from the append-only file…
    await recipient.connect(ns[1]!.url);
    await recipient.waitFor(() => recipient.handled.size >= 300);
    // …and, still connected, what is sent after the restart (the nodes re-subscribed).
    sender.fill(50);
    while (sender.outbox.size > 0) await sender.flush();
    await recipient.waitFor(() => recipient.handled.size >= 350);
    expectExactlyOnce(sender, recipient, 350);
  });

  it('[MBX7] delivers everything exactly once to a recipient dropped again and again mid-drain', async () => {
    const { nodes: ns } = await cluster(2);
    const recipient = new Recipient(makeAgent());
    const sender = new Sender(makeAgent(), recipient.agent.agentId);
    await sender.connect(ns[0]!.url);
    sender.fill(600);
    await sender.flush();
    expect(sender.acked.size).toBe(600);

    // Each connection takes 150 envelopes, then its transport dies before the next ack.
    for (let round = 0; recipient.handled.size < 600 && round < 20; round++) {
      const socket = await recipient.connect(ns[round % 2]!.url, { dropAfter: 150 });
      await new Promise<void>((resolve) => {
        socket.once('disconnect', () => resolve());
        void recipient.waitFor(() => recipient.handled.size >= 600).then(resolve, resolve);
      });
      socket.disconnect();
    }
    expectExactlyOnce(sender, recipient, 600);
    await expect.poll(() => depth(recipient.agent.agentId)).toBe(0);
  });

  it('[LIM5] a node keeps serving others while one client floods it with hostile payloads', async () => {
    // Buckets that never refill (100 per connection): what the flood is answered does not depend on
    // how fast this machine serves it (with any refill, a loaded machine spreads the flood over
    // enough time to earn tokens back).
    const { nodes: ns } = await cluster(1, {}, { RELAY_RATE_BURST: '100', RELAY_RATE_PER_SECOND: '0' });
    // Logged in, so the junk reaches the handlers' validation (the challenge and login take 2 tokens).
    const hostile = await openRaw(ns[0]!.url);
    cleanup.push(() => hostile.disconnect());
    expect(await login(hostile as never, makeAgent())).toMatchObject({ ok: true });
    const recipient = new Recipient(makeAgent());
    const sender = new Sender(makeAgent(), recipient.agent.agentId);
    await recipient.connect(ns[0]!.url);
    await sender.connect(ns[0]!.url);
    const junk: unknown[] = [
      JSON.parse('{"__proto__":{"polluted":true}}'),
      Buffer.alloc(2048),
      'x'.repeat(900_000),
      [1, 2, 3],
      null,
    ];
    const FLOOD = 400;
    const unknown = (i: number) => i % 7 === 0;
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) =>
        hostile
          .timeout(20_000) // a liveness bound, not a measurement: 900 KB frames parse slowly under load
          .emitWithAck(unknown(i) ? 'admin:dump' : 'send', junk[i % junk.length])
          .catch(() => ({ ok: false, error: { code: 'no_answer' } })),
      ),
    );
    const counts: Record<string, number> = {};
    for (const a of answers as { error?: { code: string } }[]) {
      const code = a.error?.code ?? 'ok';
      counts[code] = (counts[code] ?? 0) + 1;
    }
    // Unknown events are refused before the buckets; every other request takes a token until none is left.
    const unknownEvents = Array.from({ length: FLOOD }, (_, i) => i).filter(unknown).length;
    expect(counts).toEqual({
      unknown_event: unknownEvents,
      bad_request: 98,
      rate_limited: FLOOD - unknownEvents - 98,
    });
    expect(({} as any).polluted).toBeUndefined();
    sender.fill(20);
    while (sender.outbox.size > 0) await sender.flush();
    await recipient.waitFor(() => recipient.handled.size >= 20);
    expectExactlyOnce(sender, recipient, 20);
  });
});
