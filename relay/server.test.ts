import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from './server';
import { MemoryMailbox } from './mailbox';
import { io as ioClient } from 'socket.io-client';
import {
  aliceAndBob,
  envelopeId,
  inbox,
  login,
  makeAgent,
  makePrekeyUpload,
  openSocket,
  payloadOf,
  request,
  type ClientSocket,
} from './test-client';
import { MAX_DELIVER_BATCH, MAX_PAYLOAD_CHARS, type Envelope } from './protocol';

let relay: Relay;
let url: string;
let clock = 1_000_000;
let mailbox: MemoryMailbox;
let seen: Envelope[];
const sockets: ClientSocket[] = [];

const open = async () => {
  const socket = await openSocket(url);
  sockets.push(socket);
  return socket;
};

beforeEach(async () => {
  clock = 1_000_000;
  mailbox = new MemoryMailbox();
  seen = [];
  relay = createRelay({ mailbox, now: () => clock, observe: (e) => seen.push(e) });
  ({ url } = await relay.listen(0));
});

afterEach(async () => {
  sockets.splice(0).forEach((s) => s.disconnect());
  await relay.close();
});

describe('login', () => {
  it('[AUTH1] accepts a challenge signed with the agent key', async () => {
    const agent = makeAgent();
    const socket = await open();
    expect(await login(socket, agent)).toEqual({ ok: true, agentId: agent.agentId });
  });

  it('[AUTH2] refuses a signature made with another key', async () => {
    const agent = makeAgent();
    const impostor = makeAgent();
    const socket = await open();
    const { nonce } = await request(socket, 'auth:challenge', {});
    const result = await request(socket, 'auth:login', {
      agentId: agent.agentId,
      nonce,
      signature: impostor.signLogin(nonce, agent.agentId),
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_signature' } });
    // …and the connection is not logged in.
    const send = await request(socket, 'send', { id: envelopeId(), to: agent.agentId, payload: 'AAAA' });
    expect(send).toMatchObject({ ok: false, error: { code: 'not_authenticated' } });
  });

  it('[AUTH1][AUTH2] takes a signature only in canonical base64url (no bits set past its 64 bytes)', async () => {
    const agent = makeAgent();
    const socket = await open();
    const { nonce } = await request(socket, 'auth:challenge', {});
    const signature = agent.signLogin(nonce);
    // 86 characters carry 516 bits: the last one's low 4 bits are padding, zero in the canonical form.
    const last = 'AQgw'.indexOf(signature.at(-1)!);
    const sameBytes = signature.slice(0, -1) + 'BRhx'[last];
    expect(Buffer.from(sameBytes, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    const result = await request(socket, 'auth:login', {
      agentId: agent.agentId,
      nonce,
      signature: sameBytes,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_signature' } });
  });

  it('[AUTH3] refuses a replayed challenge, even with a valid signature', async () => {
    const agent = makeAgent();
    const first = await open();
    const { nonce } = await request(first, 'auth:challenge', {});
    const signature = agent.signLogin(nonce);
    expect(await request(first, 'auth:login', { agentId: agent.agentId, nonce, signature })).toMatchObject({
      ok: true,
    });
    const second = await open();
    // A nonce is bound to the connection that asked for it…
    expect(await request(second, 'auth:login', { agentId: agent.agentId, nonce, signature })).toMatchObject({
      ok: false,
      error: { code: 'challenge_unknown' },
    });
    // …and spent by its first use, on that connection too.
    const third = await open();
    const fresh = await request(third, 'auth:challenge', {});
    const sig = agent.signLogin(fresh.nonce);
    await request(third, 'auth:login', {
      agentId: agent.agentId,
      nonce: fresh.nonce,
      signature: agent.signLogin('x'.repeat(43)),
    });
    expect(
      await request(third, 'auth:login', { agentId: agent.agentId, nonce: fresh.nonce, signature: sig }),
    ).toMatchObject({
      ok: false,
      error: { code: 'challenge_replayed' },
    });
  });

  it('[AUTH4] refuses an expired challenge', async () => {
    const agent = makeAgent();
    const socket = await open();
    const { nonce } = await request(socket, 'auth:challenge', {});
    clock += 61_000;
    const result = await request(socket, 'auth:login', {
      agentId: agent.agentId,
      nonce,
      signature: agent.signLogin(nonce),
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'challenge_expired' } });
  });

  it.each([
    ['no object', 42],
    ['missing fields', {}],
    ['a short agent id', { agentId: 'abc', nonce: 'x'.repeat(43), signature: 'A'.repeat(86) }],
    [
      'binary where text is expected',
      { agentId: Buffer.alloc(32), nonce: 'x'.repeat(43), signature: 'A'.repeat(86) },
    ],
    ['a __proto__ key', JSON.parse('{"__proto__":{"admin":true},"agentId":"x","nonce":"y","signature":"z"}')],
    [
      'extra fields',
      { agentId: 'A'.repeat(43), nonce: 'x'.repeat(43), signature: 'A'.repeat(86), role: 'admin' },
    ],
  ])(
    '[AUTH5] answers a malformed login (%s) with bad_request and keeps the connection',
    async (_name, payload) => {
      const agent = makeAgent();
      const socket = await open();
      expect(await request(socket, 'auth:login', payload)).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
      expect(await login(socket, agent)).toMatchObject({ ok: true });
    },
  );

  it('[AUTH6] names an unknown event and a request without an ack callback', async () => {
    const socket = await open();
    const errors: unknown[] = [];
    socket.on('relay:error', (e) => errors.push(e));
    expect(await request(socket, 'admin:dump', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown_event' },
    });
    (socket as any).emit('send', { id: 'x' });
    await expect.poll(() => errors).toContainEqual(expect.objectContaining({ code: 'bad_request' }));
    expect(socket.connected).toBe(true);
  });
});

describe('routing and the mailbox', () => {
  it('[ENV1] routes an envelope to the online recipient and acks the sender', async () => {
    const { alice, bob, a, bobInbox } = await aliceAndBob(open);
    const id = envelopeId();
    expect(await request(a, 'send', { id, to: bob.agentId, payload: payloadOf('sealed') })).toEqual({
      ok: true,
      id,
    });
    const [got] = await bobInbox.waitFor(1);
    expect(got).toMatchObject({ id, from: alice.agentId, to: bob.agentId, payload: payloadOf('sealed') });
    await expect.poll(() => mailbox.depth(bob.agentId)).toBe(0);
  });

  it('[ENV2] sets `from` from the login, whatever the sender claims', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    const forged = await request(a, 'send', {
      id: envelopeId(),
      to: bob.agentId,
      payload: 'AAAA',
      from: bob.agentId,
    });
    expect(forged).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('[MBX1] keeps mail for an offline recipient until it connects and acknowledges', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    const ids = [envelopeId(), envelopeId(), envelopeId()];
    for (const id of ids) await request(a, 'send', { id, to: bob.agentId, payload: payloadOf(id) });
    expect(await mailbox.depth(bob.agentId)).toBe(3);

    // Bob connects but does not acknowledge: the mail stays.
    const b1 = await open();
    const unacked = inbox(b1, { ack: false });
    await login(b1, bob);
    await unacked.waitFor(3);
    b1.disconnect();
    expect(await mailbox.depth(bob.agentId)).toBe(3);

    // Bob comes back and acknowledges: delivered in order, then forgotten.
    const b2 = await open();
    const acked = inbox(b2);
    await login(b2, bob);
    const got = await acked.waitFor(3);
    expect(got.map((e) => e.id)).toEqual(ids);
    await expect.poll(() => mailbox.depth(bob.agentId)).toBe(0);
  });

  it('[MBX2] stores a resent envelope id once', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    const id = envelopeId();
    await request(a, 'send', { id, to: bob.agentId, payload: 'AAAA' });
    expect(await request(a, 'send', { id, to: bob.agentId, payload: 'AAAA' })).toEqual({ ok: true, id });
    expect(await mailbox.depth(bob.agentId)).toBe(1);
  });

  it.each([
    ['an invalid recipient', { to: 'bob', payload: 'AAAA' }, 'bad_request'],
    ['a non-base64url payload', { payload: 'not base64!' }, 'bad_request'],
    ['a payload that is an object', { payload: { text: 'hi' } }, 'bad_request'],
    ['an oversize payload', { payload: 'A'.repeat(70_000) }, 'payload_too_large'],
  ])('[ENV3] refuses %s with its code and keeps serving', async (_name, patch, code) => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    const bad = await request(a, 'send', {
      id: envelopeId(),
      to: bob.agentId,
      ...{ payload: 'AAAA' },
      ...patch,
    });
    expect(bad).toMatchObject({ ok: false, error: { code } });
    expect(bad.error.message.length).toBeGreaterThan(10);
    expect(await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' })).toMatchObject({
      ok: true,
    });
  });

  it('[LIM1] takes a payload of 65,536 characters, refuses one more with payload_too_large', async () => {
    const { bob, a, bobInbox } = await aliceAndBob(open);
    const largest = 'A'.repeat(MAX_PAYLOAD_CHARS);
    expect(MAX_PAYLOAD_CHARS).toBe(65_536);
    expect(await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: largest })).toMatchObject({
      ok: true,
    });
    expect((await bobInbox.waitFor(1))[0]!.payload).toBe(largest);
    expect(
      await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: `${largest}A` }),
    ).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
    expect(await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' })).toMatchObject({
      ok: true,
    });
  });

  it('[LIM1] drops a connection whose frame is above 1 MB, and serves the others', async () => {
    const { bob, a, b } = await aliceAndBob(open);
    const closed = new Promise<string>((resolve) => a.once('disconnect', resolve));
    a.emit('send', { id: envelopeId(), to: bob.agentId, payload: 'A'.repeat(1_100_000) }, () => {});
    expect(await closed).toBe('transport close');
    expect(await request(b, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' })).toMatchObject({
      ok: true,
    });
  });

  it('[ENV4] answers /healthz', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('[ENV5] hands the observer only what the sender sealed', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: payloadOf('opaque') });
    expect(seen).toHaveLength(1);
    expect(Object.keys(seen[0]!).sort()).toEqual(['from', 'id', 'payload', 'sentAt', 'to']);
  });
});

describe('receipts, limits and prekeys', () => {
  const relayWith = async (options: Parameters<typeof createRelay>[0]) => {
    const extra = createRelay({ now: () => clock, ...options });
    const { url: extraUrl } = await extra.listen(0);
    extras.push(extra);
    const openExtra = async () => {
      const socket = await openSocket(extraUrl);
      sockets.push(socket);
      return socket;
    };
    return { relay: extra, url: extraUrl, open: openExtra };
  };
  const extras: Relay[] = [];
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.disconnect());
    await Promise.all(extras.splice(0).map((r) => r.close()));
  });

  it('[MBX5] sends the sender one receipt once the recipient acknowledged, none before', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    const receipts: unknown[] = [];
    a.on('receipt', (r) => receipts.push(...r));
    const id = envelopeId();
    await request(a, 'send', { id, to: bob.agentId, payload: 'AAAA' });
    const b1 = await open();
    const silent = inbox(b1, { ack: false });
    await login(b1, bob);
    await silent.waitFor(1);
    expect(receipts).toEqual([]);
    b1.disconnect();
    const b2 = await open();
    const acking = inbox(b2);
    await login(b2, bob);
    await acking.waitFor(1);
    await expect.poll(() => receipts).toEqual([{ id, to: bob.agentId, status: 'delivered' }]);
  });

  it('[DLV4] a receipt rides on the next send answer; alone only when no answer leaves in time', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const carol = makeAgent();
    /** Alice and Bob logged in on a relay of their own; what Alice receives as `receipt` events. */
    const aliceAndBob = async (receiptDelayMs: number) => {
      const box = new MemoryMailbox();
      const { open: openHere } = await relayWith({ mailbox: box, receiptDelayMs });
      const [a, b] = [await openHere(), await openHere()];
      await login(a, alice);
      await login(b, bob);
      const alone: unknown[] = [];
      a.on('receipt', (r) => alone.push(...r));
      return { a, box, bobInbox: inbox(b), alone };
    };
    const send = (socket: ClientSocket, id: string, to: string) =>
      request(socket, 'send', { id, to, payload: 'AAAA' });

    // Long enough that nothing goes alone while the test looks.
    const waiting = await aliceAndBob(60_000);
    const first = envelopeId();
    expect(await send(waiting.a, first, bob.agentId)).toEqual({ ok: true, id: first });
    await waiting.bobInbox.waitFor(1);
    // Bob's acknowledgement reached the relay once the mailbox forgot the envelope.
    await expect.poll(() => waiting.box.depth(bob.agentId)).toBe(0);
    // To someone else, offline: the answer still carries Alice's waiting receipt, once.
    const second = envelopeId();
    expect(await send(waiting.a, second, carol.agentId)).toEqual({
      ok: true,
      id: second,
      receipts: [{ id: first, to: bob.agentId, status: 'delivered' }],
    });
    const third = envelopeId();
    expect(await send(waiting.a, third, carol.agentId)).toEqual({ ok: true, id: third });
    expect(waiting.alone).toEqual([]);

    // With a short delay and no answer leaving, the receipt goes alone, and only alone.
    const quick = await aliceAndBob(20);
    const fourth = envelopeId();
    await send(quick.a, fourth, bob.agentId);
    await quick.bobInbox.waitFor(1);
    await expect.poll(() => quick.alone).toEqual([{ id: fourth, to: bob.agentId, status: 'delivered' }]);
    const fifth = envelopeId();
    expect(await send(quick.a, fifth, carol.agentId)).toEqual({ ok: true, id: fifth });
  });

  it('[DLV1] coalesces what one tick pushes to a connection into one deliver, oldest first', async () => {
    const { bob, a, bobInbox: received } = await aliceAndBob(open);
    const receipts: unknown[][] = [];
    a.on('receipt', (r) => receipts.push(r));
    // Sent without waiting: they reach the relay together and are stored and pushed together.
    const ids = Array.from({ length: 8 }, () => envelopeId());
    await Promise.all(ids.map((id) => request(a, 'send', { id, to: bob.agentId, payload: 'AAAA' })));
    await received.waitFor(8);
    expect(received.received.map((e) => e.id)).toEqual(ids);
    expect(received.batches.length).toBeLessThan(8);
    // Receipts come batched too, one per envelope in all.
    await expect.poll(() => receipts.flat().length).toBe(8);
    expect(receipts.length).toBeLessThan(8);
  });

  it('[DLV1] never puts more than MAX_DELIVER_BATCH envelopes in one deliver', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    // 150 waiting (within the connection's rate limit) are drained as 100 + 50.
    const sent = await Promise.all(
      Array.from({ length: 150 }, () =>
        request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' }),
      ),
    );
    expect(sent.every((r) => r.ok)).toBe(true);
    const b = await open();
    const received = inbox(b);
    await login(b, bob);
    await received.waitFor(150);
    expect(Math.max(...received.batches)).toBe(MAX_DELIVER_BATCH);
  });

  it('[LIM6] serves the long-polling fallback like websockets, unless told to serve websockets only', async () => {
    const polling = async (target: string) => {
      const socket: ClientSocket = ioClient(target, {
        transports: ['polling'],
        forceNew: true,
        reconnection: false,
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return socket;
    };
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await polling(url);
    const b = await polling(url);
    expect(await login(a, alice)).toMatchObject({ ok: true });
    expect(await login(b, bob)).toMatchObject({ ok: true });
    const received = inbox(b);
    const id = envelopeId();
    expect(
      await request(a, 'send', { id, to: bob.agentId, payload: payloadOf('over polling') }),
    ).toMatchObject({
      ok: true,
    });
    await received.waitFor(1);
    expect(received.received[0]).toMatchObject({ id, from: alice.agentId });

    // socket.io's default client starts on polling and upgrades to a websocket: it keeps working.
    const carol = makeAgent();
    const c: ClientSocket = ioClient(url, { forceNew: true, reconnection: false });
    sockets.push(c);
    await new Promise<void>((resolve) => c.io.engine.once('upgrade', () => resolve()));
    expect(c.io.engine.transport.name).toBe('websocket');
    expect(await login(c, carol)).toMatchObject({ ok: true });
    const later = envelopeId();
    await request(c, 'send', { id: later, to: bob.agentId, payload: payloadOf('after the upgrade') });
    await received.waitFor(2);
    expect(received.received[1]).toMatchObject({ id: later, from: carol.agentId });

    const { url: wsOnly } = await relayWith({ transports: ['websocket'] });
    await expect(polling(wsOnly)).rejects.toThrow();
  });

  it('[DLV2] forgets only the ids the recipient names; the rest are offered again', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    const ids = Array.from({ length: 4 }, () => envelopeId());
    for (const id of ids) await request(a, 'send', { id, to: bob.agentId, payload: 'AAAA' });
    const b1 = await open();
    const answered = new Promise<void>((resolve) =>
      b1.on('deliver', (envelopes, reply) => {
        // The application kept the first and third only.
        reply({ acked: [envelopes[0]!.id, envelopes[2]!.id, envelopeId()] });
        resolve();
      }),
    );
    await login(b1, bob);
    await answered;
    await expect.poll(() => mailbox.depth(bob.agentId)).toBe(2);
    b1.disconnect();
    const b2 = await open();
    const again = inbox(b2);
    await login(b2, bob);
    await again.waitFor(2);
    expect(again.received.map((e) => e.id)).toEqual([ids[1], ids[3]]);
  });

  it('[DLV2] keeps everything when the answer is malformed, and keeps serving', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' });
    const b1 = await open();
    const answered = new Promise<void>((resolve) =>
      b1.on('deliver', (_envelopes, reply) => {
        (reply as (r: unknown) => void)({ acked: 'everything', __proto__: { acked: [] } });
        resolve();
      }),
    );
    await login(b1, bob);
    await answered;
    await expect.poll(async () => (await relay.metrics.rejections.get()).values.length).toBeGreaterThan(0);
    expect(await mailbox.depth(bob.agentId)).toBe(1);
    expect(await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' })).toMatchObject({
      ok: true,
    });
  });

  it('[MBX4] refuses with mailbox_full when the recipient’s mailbox is at its cap', async () => {
    const { open: o } = await relayWith({ mailbox: new MemoryMailbox({ maxCount: 2 }) });
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await o();
    await login(a, alice);
    for (let i = 0; i < 2; i++)
      await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' });
    const third = await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' });
    expect(third).toMatchObject({ ok: false, error: { code: 'mailbox_full' } });
    expect(third.error.message).toMatch(/retry/);
  });

  it('[LIM2] refuses a burst past the connection’s bucket with rate_limited, then recovers', async () => {
    const { open: o } = await relayWith({ limits: { perConnection: { burst: 5, perSecond: 1 } } });
    const alice = makeAgent();
    const a = await o();
    await login(a, alice); // 2 requests
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        request(a, 'send', { id: envelopeId(), to: alice.agentId, payload: 'AAAA' }),
      ),
    );
    expect(answers.map((r) => r.ok)).toEqual([true, true, true, false, false]);
    expect(answers[4]).toMatchObject({ error: { code: 'rate_limited' } });
    clock += 2000;
    expect(await request(a, 'send', { id: envelopeId(), to: alice.agentId, payload: 'AAAA' })).toMatchObject({
      ok: true,
    });
    // Another connection is not slowed by this one.
    const other = await o();
    expect(await login(other, makeAgent())).toMatchObject({ ok: true });
  });

  it('[LIM2] shares one bucket among the connections of one agent', async () => {
    const { open: o } = await relayWith({
      limits: { perConnection: { burst: 100, perSecond: 1 }, perAgent: { burst: 4, perSecond: 1 } },
    });
    const alice = makeAgent();
    const a1 = await o();
    const a2 = await o();
    await login(a1, alice);
    await login(a2, alice);
    const send = (s: ClientSocket) =>
      request(s, 'send', { id: envelopeId(), to: alice.agentId, payload: 'AAAA' });
    const answers = [await send(a1), await send(a2), await send(a1), await send(a2), await send(a1)];
    expect(answers.map((r) => r.ok)).toEqual([true, true, true, true, false]);
  });

  it('[LIM3] refuses connections past the limits: per agent at login, per process at connect', async () => {
    const { url: u, open: o } = await relayWith({ limits: { maxConnectionsPerAgent: 1, maxConnections: 2 } });
    const alice = makeAgent();
    await login(await o(), alice);
    const second = await o();
    expect(await login(second, alice)).toMatchObject({ ok: false, error: { code: 'too_many_connections' } });
    await expect(openSocket(u)).rejects.toMatchObject({ message: 'too_many_connections' });
  });

  it('[LIM3] closes a connection that does not log in in time', async () => {
    const { open: o } = await relayWith({ limits: { loginTimeoutMs: 100 } });
    const idle = await o();
    await new Promise<void>((resolve) => idle.once('disconnect', () => resolve()));
    expect(idle.connected).toBe(false);
  });

  it('[LIM4] refuses a browser origin outside the allow-list, and no-origin clients unless allowed', async () => {
    const ext = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const { url: u } = await relayWith({ origins: { allowed: [ext], allowMissing: false } });
    const withOrigin = (origin?: string) =>
      new Promise<string>((resolve) => {
        const s = ioClient(u, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          ...(origin ? { extraHeaders: { origin } } : {}),
        });
        sockets.push(s as ClientSocket);
        s.once('connect', () => resolve('connected'));
        s.once('connect_error', (e) => resolve(e.message));
      });
    expect(await withOrigin(ext)).toBe('connected');
    expect(await withOrigin('https://evil.example')).toBe('origin_refused');
    expect(await withOrigin()).toBe('origin_refused');
  });

  it('[PRK1] stores only a signed prekey the logged-in agent signed, for itself', async () => {
    const alice = makeAgent();
    const mallory = makeAgent();
    const a = await open();
    await login(a, alice);
    expect(await request(a, 'prekeys:publish', makePrekeyUpload(alice, { signWith: mallory }))).toMatchObject(
      {
        ok: false,
        error: { code: 'bad_signature' },
      },
    );
    expect(await request(a, 'prekeys:publish', makePrekeyUpload(mallory))).toMatchObject({
      ok: false,
      error: { code: 'agent_mismatch' },
    });
    expect(await request(a, 'prekeys:publish', { ...makePrekeyUpload(alice), extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    const fresh = await open();
    expect(await request(fresh, 'prekeys:publish', makePrekeyUpload(alice))).toMatchObject({
      error: { code: 'not_authenticated' },
    });
    expect(await request(a, 'prekeys:publish', makePrekeyUpload(alice, { oneTime: 2 }))).toEqual({
      ok: true,
      oneTimePrekeys: 2,
    });
  });

  it('[PRK4] serves bundles to any logged-in agent and tells the owner how many are left', async () => {
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    const b = await open();
    await login(a, alice);
    await login(b, bob);
    const upload = makePrekeyUpload(alice, { oneTime: 1 });
    await request(a, 'prekeys:publish', upload);
    expect(await request(b, 'prekeys:fetch', { agentId: alice.agentId })).toEqual({
      ok: true,
      bundle: {
        v: 1,
        agentId: alice.agentId,
        signedPrekey: upload.signedPrekey,
        oneTimePrekey: upload.oneTimePrekeys[0],
      },
    });
    expect(await request(a, 'prekeys:count', {})).toEqual({ ok: true, oneTimePrekeys: 0 });
    expect((await request(b, 'prekeys:fetch', { agentId: alice.agentId })).bundle.oneTimePrekey).toEqual(
      upload.lastResortPrekey,
    );
    expect(await request(b, 'prekeys:fetch', { agentId: makeAgent().agentId })).toMatchObject({
      error: { code: 'prekeys_not_found' },
    });
    expect(await request(b, 'prekeys:fetch', { agentId: 'nope' })).toMatchObject({
      error: { code: 'bad_request' },
    });
  });

  it('[PRS1] answers presence only for ids the asker names, and pushes changes', async () => {
    const carol = makeAgent();
    const dave = makeAgent();
    const c = await open();
    await login(c, carol);
    const seen: unknown[] = [];
    c.on('presence', (s) => seen.push(s));
    expect(await request(c, 'presence:subscribe', { agentIds: [] })).toMatchObject({
      error: { code: 'bad_request' },
    });
    expect(await request(c, 'presence:subscribe', { agentIds: [dave.agentId] })).toEqual({
      ok: true,
      presence: [{ agentId: dave.agentId, online: false }],
    });
    const d = await open();
    await login(d, dave);
    await expect.poll(() => seen).toEqual([{ agentId: dave.agentId, online: true }]);
    await request(c, 'presence:unsubscribe', { agentIds: [dave.agentId] });
    d.disconnect();
    await new Promise((r) => setTimeout(r, 50)); // Nothing is awaited here: an event must NOT come.
    expect(seen).toHaveLength(1);
    const fresh = await open();
    expect(await request(fresh, 'presence:subscribe', { agentIds: [dave.agentId] })).toMatchObject({
      error: { code: 'not_authenticated' },
    });
  });
});
