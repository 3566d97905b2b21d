// One contract, run against every Mailbox implementation (mailbox.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeJson, type Envelope } from '../protocol';
import { envelopeBytes, type Mailbox, type MailboxLimits } from './mailbox';

export interface MailboxHarness {
  /** A fresh, empty mailbox with these limits, reading time from `now`. */
  create(options: Partial<MailboxLimits> & { now: () => number }): Promise<Mailbox>;
}

const agent = (n: number) => `agent${String(n).padStart(38, '0')}`;
const ALICE = agent(1);
const BOB = agent(2);
const CAROL = agent(3);

const envelope = (id: string, to = BOB, payload = 'AAAA'): Envelope => ({
  id: `env-${id}`.padEnd(8, '0'),
  from: ALICE,
  to,
  payload,
  sentAt: 1,
});

export function mailboxContract(name: string, harness: MailboxHarness): void {
  describe(`Mailbox contract: ${name}`, () => {
    let clock = 1_000_000;
    const now = () => clock;
    const make = (limits: Partial<MailboxLimits> = {}) => {
      clock = 1_000_000;
      return harness.create({ ...limits, now });
    };

    it('[MBX6] hands envelopes back oldest first and forgets only the acknowledged one', async () => {
      const box = await make();
      const ids = ['c', 'a', 'b', 'd'].map((id) => envelope(id));
      for (const e of ids) expect(await box.put(e)).toMatchObject({ status: 'stored' });
      expect((await box.pending(BOB)).map((e) => e.id)).toEqual(ids.map((e) => e.id));
      expect(await box.pending(BOB, 2)).toEqual(ids.slice(0, 2));
      expect(await box.ack(BOB, [ids[1]!.id])).toEqual([ids[1]!.id]);
      expect(await box.ack(BOB, [ids[1]!.id])).toEqual([]);
      expect((await box.pending(BOB)).map((e) => e.id)).toEqual([ids[0]!.id, ids[2]!.id, ids[3]!.id]);
      expect(await box.depth(BOB)).toBe(3);
      await box.close();
    });

    it('[MBX6] keeps each agent’s mail apart: one agent cannot acknowledge another’s', async () => {
      const box = await make();
      const e = envelope('x1');
      await box.put(e);
      await box.put(envelope('x2', CAROL));
      expect(await box.ack(CAROL, [e.id])).toEqual([]);
      expect(await box.pending(BOB)).toEqual([e]);
      expect((await box.pending(CAROL)).map((x) => x.id)).toEqual([envelope('x2').id]);
      expect(await box.pending(ALICE)).toEqual([]);
      expect(await box.depth(ALICE)).toBe(0);
      await box.close();
    });

    it('[MBX2] stores an envelope id once while it is held', async () => {
      const box = await make();
      const e = envelope('dup');
      expect(await box.put(e)).toEqual({ status: 'stored', depth: 1 });
      expect(await box.put({ ...e, payload: 'BBBB' })).toEqual({ status: 'duplicate', depth: 1 });
      expect(await box.pending(BOB)).toEqual([e]);
      await box.close();
    });

    it('[MBX3] forgets envelopes older than the TTL, and only those', async () => {
      const box = await make({ ttlMs: 1000 });
      await box.put(envelope('old'));
      clock += 600;
      await box.put(envelope('new'));
      clock += 500; // 'old' is 1,100 ms old, 'new' 500 ms.
      expect((await box.pending(BOB)).map((e) => e.id)).toEqual([envelope('new').id]);
      expect(await box.depth(BOB)).toBe(1);
      expect(await box.ack(BOB, [envelope('old').id])).toEqual([]);
      clock += 500;
      expect(await box.depth(BOB)).toBe(0);
      await box.close();
    });

    it('[MBX4] refuses an envelope past the count cap, and has room again after an ack', async () => {
      const box = await make({ maxCount: 3 });
      for (const id of ['1', '2', '3']) expect((await box.put(envelope(id))).status).toBe('stored');
      expect(await box.put(envelope('4'))).toEqual({ status: 'full', depth: 3 });
      // Another recipient's mailbox is not affected.
      expect((await box.put(envelope('4', CAROL))).status).toBe('stored');
      await box.ack(BOB, [envelope('1').id]);
      expect((await box.put(envelope('4'))).status).toBe('stored');
      expect((await box.pending(BOB)).map((e) => e.id)).toEqual(['2', '3', '4'].map((i) => envelope(i).id));
      await box.close();
    });

    it('[MBX4] refuses an envelope past the byte cap; expired mail does not count', async () => {
      const size = Buffer.byteLength(JSON.stringify(envelope('a', BOB, 'A'.repeat(1000))));
      const box = await make({ maxBytes: size * 2 + 200, ttlMs: 1000 });
      expect((await box.put(envelope('a', BOB, 'A'.repeat(1000)))).status).toBe('stored');
      expect((await box.put(envelope('b', BOB, 'A'.repeat(1000)))).status).toBe('stored');
      expect((await box.put(envelope('c', BOB, 'A'.repeat(1000)))).status).toBe('full');
      expect((await box.put(envelope('d', BOB, 'AAAA'))).status).toBe('stored');
      clock += 2000;
      expect((await box.put(envelope('e', BOB, 'A'.repeat(1000)))).status).toBe('stored');
      expect((await box.pending(BOB)).map((e) => e.id)).toEqual([envelope('e').id]);
      await box.close();
    });

    it('[MBX4] an acknowledged envelope gives its bytes back, exactly', async () => {
      const big = (id: string) => envelope(id, BOB, 'A'.repeat(1000));
      const size = Buffer.byteLength(JSON.stringify(big('a')));
      // Room for exactly two: a byte more or less in the accounting shows below.
      const box = await make({ maxBytes: size * 2 });
      for (let round = 0; round < 5; round++) {
        const [x, y, z] = ['x', 'y', 'z'].map((k) => big(`${k}${round}`));
        expect((await box.put(x!)).status).toBe('stored');
        expect((await box.put(y!)).status).toBe('stored');
        expect((await box.put(z!)).status).toBe('full');
        expect(await box.ack(BOB, [x!.id, 'never-stored'])).toEqual([x!.id]);
        expect((await box.put(z!)).status).toBe('stored');
        expect(await box.ack(BOB, [y!.id, z!.id])).toEqual([y!.id, z!.id]);
      }
      expect(await box.depth(BOB)).toBe(0);
      await box.close();
    });

    it('[DLV3] stores a batch for one recipient in one step, each envelope judged in order as if put alone', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 6 }), {
            maxLength: 5,
          }),
          async (batches) => {
            const box = await make({ maxCount: 5 });
            const held: string[] = [];
            try {
              for (const batch of batches) {
                const expected = batch.map((i) => {
                  const id = envelope(String(i)).id;
                  if (held.includes(id)) return { status: 'duplicate', depth: held.length };
                  if (held.length >= 5) return { status: 'full', depth: held.length };
                  held.push(id);
                  return { status: 'stored', depth: held.length };
                });
                const results = await box.putBatch(
                  BOB,
                  batch.map((i) => envelope(String(i))),
                );
                expect(results).toEqual(expected);
                expect((await box.pending(BOB)).map((e) => e.id)).toEqual(held);
              }
            } finally {
              await box.close();
            }
          },
        ),
        { seed: 7, numRuns: 30 },
      );
    });

    it('[DLV3] refuses a batch that mixes recipients, storing none of it', async () => {
      const box = await make();
      await expect(box.putBatch(BOB, [envelope('m1'), envelope('m2', CAROL)])).rejects.toThrow(/to/);
      expect(await box.depth(BOB)).toBe(0);
      expect(await box.depth(CAROL)).toBe(0);
      await box.close();
    });

    it('[DLV3] putMany judges each request exactly as putBatch would, one after the other; ackMany as ack would', async () => {
      const recipients = [BOB, CAROL, ALICE];
      const request = fc.record({
        to: fc.integer({ min: 0, max: 2 }),
        ids: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }),
      });
      // A call holds several requests, the same recipient possibly more than once.
      const call = fc.record({
        kind: fc.constantFrom('put' as const, 'ack' as const),
        requests: fc.array(request, { minLength: 1, maxLength: 4 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(call, { maxLength: 8 }), async (calls) => {
          const box = await make({ maxCount: 4 });
          const model = new Map<string, string[]>(recipients.map((r) => [r, []]));
          try {
            for (const { kind, requests } of calls) {
              if (kind === 'put') {
                const expected = requests.map(({ to, ids }) => {
                  const held = model.get(recipients[to]!)!;
                  return ids.map((i) => {
                    const id = envelope(String(i)).id;
                    if (held.includes(id))
                      return { status: 'fulfilled', depth: held.length, stored: 'duplicate' };
                    if (held.length >= 4) return { status: 'fulfilled', depth: held.length, stored: 'full' };
                    held.push(id);
                    return { status: 'fulfilled', depth: held.length, stored: 'stored' };
                  });
                });
                const settled = await box.putMany(
                  requests.map(({ to, ids }) => ({
                    to: recipients[to]!,
                    envelopes: ids.map((i) => envelope(String(i), recipients[to]!)),
                  })),
                );
                expect(
                  settled.map((r) =>
                    r.status === 'fulfilled'
                      ? r.value.map((v) => ({ status: r.status, depth: v.depth, stored: v.status }))
                      : r,
                  ),
                ).toEqual(expected);
              } else {
                const expected = requests.map(({ to, ids }) => {
                  const held = model.get(recipients[to]!)!;
                  const removed: string[] = [];
                  for (const id of ids.map((i) => envelope(String(i)).id)) {
                    const at = held.indexOf(id);
                    if (at < 0) continue;
                    held.splice(at, 1);
                    removed.push(id);
                  }
                  return { status: 'fulfilled', value: removed };
                });
                const settled = await box.ackMany(
                  requests.map(({ to, ids }) => ({
                    agentId: recipients[to]!,
                    ids: ids.map((i) => envelope(String(i)).id),
                  })),
                );
                expect(settled).toEqual(expected);
              }
              for (const r of recipients) {
                expect((await box.pending(r)).map((e) => e.id)).toEqual(model.get(r));
                expect(await box.depth(r)).toBe(model.get(r)!.length);
              }
            }
          } finally {
            await box.close();
          }
        }),
        { seed: 11, numRuns: 30 },
      );
    });

    it('[DLV3] putMany refuses requests holding another recipient’s envelope, storing none of them', async () => {
      const box = await make();
      await expect(
        box.putMany([
          { to: CAROL, envelopes: [envelope('c1', CAROL)] },
          { to: BOB, envelopes: [envelope('b1'), envelope('b2', CAROL)] },
        ]),
      ).rejects.toThrow(/to/);
      expect(await box.depth(BOB)).toBe(0);
      expect(await box.depth(CAROL)).toBe(0);
      await box.close();
    });

    it('[MBX4] ackMany gives each mailbox its own bytes back', async () => {
      // Room for exactly two envelopes of this size, in each mailbox.
      const size = envelopeBytes(envelopeJson(envelope('x1')));
      const box = await make({ maxBytes: 2 * size });
      const [b, c] = [BOB, CAROL].map((to) => [envelope('x1', to), envelope('x2', to)]);
      await box.putMany([
        { to: BOB, envelopes: b! },
        { to: CAROL, envelopes: c! },
      ]);
      expect((await box.put(envelope('x3'))).status).toBe('full');
      await box.ackMany([
        { agentId: BOB, ids: [b![0]!.id] },
        { agentId: CAROL, ids: c!.map((e) => e.id) },
      ]);
      expect((await box.put(envelope('x3'))).status).toBe('stored');
      expect((await box.put(envelope('x4'))).status).toBe('full');
      expect(
        (await box.putBatch(CAROL, [envelope('x3', CAROL), envelope('x4', CAROL)])).map((r) => r.status),
      ).toEqual(['stored', 'stored']);
      await box.close();
    });

    it('[MBX6] behaves like a model under any sequence of puts, acks and clock steps', async () => {
      const op = fc.oneof(
        fc.record({
          kind: fc.constant('put' as const),
          id: fc.integer({ min: 0, max: 12 }),
          to: fc.integer({ min: 0, max: 1 }),
        }),
        fc.record({
          kind: fc.constant('ack' as const),
          // One acknowledgement may name several ids, repeated or never held.
          ids: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 4 }),
          to: fc.integer({ min: 0, max: 1 }),
        }),
        fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 400 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
          const box = await make({ maxCount: 5, ttlMs: 1000 });
          const model = new Map<string, { id: string; expiresAt: number }[]>();
          const recipients = [BOB, CAROL];
          try {
            for (const o of ops) {
              if (o.kind === 'tick') {
                clock += o.ms;
                continue;
              }
              const to = recipients[o.to]!;
              const live = (model.get(to) ?? []).filter((x) => x.expiresAt > clock);
              model.set(to, live);
              if (o.kind === 'put') {
                const id = envelope(String(o.id)).id;
                const expected = live.some((x) => x.id === id)
                  ? 'duplicate'
                  : live.length >= 5
                    ? 'full'
                    : 'stored';
                expect((await box.put({ ...envelope(String(o.id), to) })).status).toBe(expected);
                if (expected === 'stored') live.push({ id, expiresAt: clock + 1000 });
              } else {
                const removed: string[] = [];
                for (const id of o.ids.map((i) => envelope(String(i)).id)) {
                  const held = live.findIndex((x) => x.id === id);
                  if (held < 0) continue;
                  live.splice(held, 1);
                  removed.push(id);
                }
                expect(
                  await box.ack(
                    to,
                    o.ids.map((i) => envelope(String(i)).id),
                  ),
                ).toEqual(removed);
              }
              expect((await box.pending(to)).map((e) => e.id)).toEqual(live.map((x) => x.id));
            }
          } finally {
            await box.close();
          }
        }),
        { seed: 4, numRuns: 40 },
      );
    });
  });
}
