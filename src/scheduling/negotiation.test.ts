import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionHash } from './approvals';
import { eventIdFor } from './booking';
import { prepareScheduling } from './hash';
import { EMPTY_GATE, admitNewNegotiation } from './inbound-gate';
import { HOUR, type Interval, MINUTE, covers, normalize } from './interval';
import { type Message, type MessageOf, parseMessage } from './messages';
import { type NegotiationState, nextWakeAt, step } from './negotiation';
import { CANCEL_RESENDS, compose } from './negotiation-common';
import type { Effect } from './negotiation-types';
import { type OrganizerState, startNegotiation } from './organizer-machine';
import { type ParticipantState, joinNegotiation } from './participant-machine';
import { type SimAgentConfig, Simulation, seededRandom } from './simulation';

beforeAll(prepareScheduling);

const T0 = Date.UTC(2024, 5, 3, 8); // Monday 08:00Z
const DAY = 24 * HOUR;
const WINDOW = { start: T0, end: T0 + 5 * DAY };
const auto = { auto: true, maxSlots: 3, granularityMin: 30 as const };
const at = (h: number, m = 0) => T0 + h * HOUR + m * MINUTE;
const agent = (id: string, free: Interval[], extra: Partial<SimAgentConfig> = {}): SimAgentConfig => ({
  id,
  free,
  policy: auto,
  ...extra,
});

function confirmed(sim: Simulation, id: string) {
  return sim
    .agent(id)
    .calendar.list()
    .filter((e) => e.status === 'confirmed');
}

async function negotiate(sim: Simulation, participants: string[], negotiationId = 'neg-00000001') {
  await sim.start({
    organizer: participants[0]!,
    negotiationId,
    participants,
    window: WINDOW,
    durationMin: 30,
    title: 'Sync',
    ttlMs: 3 * DAY,
  });
  await sim.run({ tickMs: 5 * MINUTE, until: T0 + 4 * DAY });
}

describe('two agents', () => {
  it('[NEG1][BKG3] converge on a slot both are free for; each calendar ends with exactly one event', async () => {
    const sim = new Simulation(
      [agent('alice', [{ start: at(1), end: at(4) }]), agent('bob', [{ start: at(2), end: at(6) }])],
      T0,
    );
    await negotiate(sim, ['alice', 'bob']);
    const a = sim.agent('alice').outcomes.get('neg-00000001');
    expect(a).toMatchObject({ status: 'booked', eventId: eventIdFor('neg-00000001') });
    expect(sim.agent('bob').outcomes.get('neg-00000001')).toEqual(a);
    for (const id of ['alice', 'bob']) {
      const events = confirmed(sim, id);
      expect(events).toHaveLength(1);
      expect(events[0]!.iCalUID).toBe(`${eventIdFor('neg-00000001')}@google.com`);
      expect(covers(normalize(sim.agent(id).config.free), events[0]!.slot.start, events[0]!.slot.end)).toBe(
        true,
      );
    }
  });

  it('[BKG3] an invitee the organizer cannot invite imports one copy with the same iCalUID', async () => {
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(4) }]),
        agent('bob', [{ start: at(2), end: at(6) }], { invitable: false }),
      ],
      T0,
    );
    await negotiate(sim, ['alice', 'bob']);
    expect(confirmed(sim, 'bob')).toHaveLength(1);
    expect(confirmed(sim, 'bob')[0]!.iCalUID).toBe(confirmed(sim, 'alice')[0]!.iCalUID);
  });

  it('[DIS1][DIS4] a RESPONSE carries ≤ maxSlots aligned slot times only, and every disclosure is audited', async () => {
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(9) }]),
        agent('bob', [{ start: at(0), end: at(9) }], {
          policy: { auto: true, maxSlots: 2, granularityMin: 30 },
        }),
      ],
      T0,
    );
    const sent: Message[] = [];
    const deliver = sim.deliverRaw.bind(sim);
    sim.deliverRaw = async (to, raw) => {
      const p = parseMessage(raw, sim.now);
      if (p.ok) sent.push(p.message);
      return deliver(to, raw);
    };
    await negotiate(sim, ['alice', 'bob']);
    const responses = sent.filter((m): m is MessageOf<'RESPONSE'> => m.type === 'RESPONSE');
    expect(responses.length).toBeGreaterThan(0);
    for (const r of responses) {
      expect(r.slots.length).toBeLessThanOrEqual(2);
      for (const s of r.slots) {
        expect(Object.keys(s).sort()).toEqual(['end', 'start']);
        expect(s.start % (30 * MINUTE)).toBe(0);
      }
    }
    const disclosed = sim.agent('bob').audit.filter((e) => e.action === 'disclosed');
    expect(disclosed.length).toBeGreaterThan(0);
    expect(disclosed[0]).toMatchObject({ counterparts: ['alice'], negotiationId: 'neg-00000001' });
    expect(disclosed[0]!.slots).toEqual(responses[0]!.slots);
  });

  it('[DIS2] without an automatic rule nothing is disclosed until the person approves', async () => {
    const asked: string[] = [];
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(4) }]),
        agent('bob', [{ start: at(2), end: at(6) }], {
          policy: { auto: false, maxSlots: 3, granularityMin: 30 },
          decide: (r) => (asked.push(r.action.kind), r.action.kind === 'disclose' ? 'decline' : 'approve'),
        }),
      ],
      T0,
    );
    await negotiate(sim, ['alice', 'bob']);
    expect(asked).toEqual(['disclose']);
    expect(sim.agent('bob').audit.filter((e) => e.action === 'disclosed')).toEqual([]);
    expect(sim.agent('alice').outcomes.get('neg-00000001')).toEqual({
      status: 'failed',
      reasons: [{ participant: 'bob', reason: 'declined' }],
    });
  });

  it('[DIS3] no common slot in round 1 widens; going beyond the budget asks the person', async () => {
    const approvals: string[] = [];
    // Bob's best-ranked slots (earliest) are before Alice is free: round 1 has no overlap.
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(3), end: at(5) }]),
        agent('bob', [{ start: at(0), end: at(6) }], {
          decide: (r) => (approvals.push(r.action.kind), 'approve'),
        }),
      ],
      T0,
    );
    await negotiate(sim, ['alice', 'bob']);
    expect(approvals[0]).toBe('disclose');
    expect(sim.agent('alice').outcomes.get('neg-00000001')).toMatchObject({ status: 'booked' });
    expect(confirmed(sim, 'bob')).toHaveLength(1);
  });

  it('[NEG3][NEG4] over a lossy, duplicating, reordering network they still end with exactly one booking each', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 6 }),
        async (seed, drop, duplicate, delayMin, offsetH, lenH) => {
          const aliceFree = [{ start: at(offsetH), end: at(offsetH + lenH) }];
          const bobFree = [{ start: at(offsetH + lenH - 1), end: at(offsetH + lenH + 3) }];
          const sim = new Simulation(
            [agent('alice', aliceFree), agent('bob', bobFree)],
            T0,
            { drop, duplicate, maxDelayMs: delayMin * MINUTE },
            seededRandom(seed),
          );
          await negotiate(sim, ['alice', 'bob']);
          const a = sim.agent('alice').outcomes.get('neg-00000001');
          expect(a?.status).toBe('booked');
          expect(sim.agent('bob').outcomes.get('neg-00000001')).toEqual(a);
          for (const id of ['alice', 'bob']) {
            const ev = confirmed(sim, id);
            expect(ev).toHaveLength(1);
            expect(covers(normalize(sim.agent(id).config.free), ev[0]!.slot.start, ev[0]!.slot.end)).toBe(
              true,
            );
          }
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  it('[NEG10][MPT4] cancel after booking clears every calendar; reschedule moves the one event', async () => {
    const sim = new Simulation(
      [agent('alice', [{ start: at(1), end: at(30) }]), agent('bob', [{ start: at(2), end: at(30) }])],
      T0,
    );
    await negotiate(sim, ['alice', 'bob']);
    const before = confirmed(sim, 'alice')[0]!.slot;
    await sim.feed('alice', 'neg-00000001', {
      type: 'reschedule',
      window: { start: at(24), end: at(30) },
      durationMin: 30,
      expiresAt: sim.now + 2 * DAY,
    });
    await sim.run({ tickMs: 5 * MINUTE, until: sim.now + DAY });
    for (const id of ['alice', 'bob']) {
      const ev = confirmed(sim, id);
      expect(ev).toHaveLength(1);
      expect(ev[0]!.slot.start).toBeGreaterThanOrEqual(at(24));
      expect(ev[0]!.slot).not.toEqual(before);
    }
    await sim.feed('bob', 'neg-00000001', { type: 'cancel' });
    await sim.run({ tickMs: 5 * MINUTE, until: sim.now + DAY });
    expect(confirmed(sim, 'alice')).toEqual([]);
    expect(confirmed(sim, 'bob')).toEqual([]);
    expect(sim.agent('alice').outcomes.get('neg-00000001')).toEqual({ status: 'cancelled', by: 'bob' });
  });
});

describe('after booking', () => {
  const ID = 'neg-00000001';
  async function booked(bob: Partial<SimAgentConfig> = {}) {
    const sim = new Simulation(
      [agent('alice', [{ start: at(1), end: at(30) }]), agent('bob', [{ start: at(2), end: at(6) }], bob)],
      T0,
    );
    await negotiate(sim, ['alice', 'bob']);
    for (const id of ['alice', 'bob']) expect(confirmed(sim, id)).toHaveLength(1);
    return sim;
  }
  /** Drops the first `n` CANCELs to `to`, counting every CANCEL sent there. */
  function loseCancels(sim: Simulation, to: string, n: number) {
    const seen = { sent: 0 };
    const deliver = sim.deliverRaw.bind(sim);
    sim.deliverRaw = async (dest, raw, from) => {
      if (dest === to && typeof raw === 'string' && raw.includes('"type":"CANCEL"') && seen.sent++ < n)
        return;
      return deliver(dest, raw, from);
    };
    return seen;
  }

  it('[NEG19] a reschedule that finds no new time takes the old meeting off every calendar, imported copies too', async () => {
    const sim = await booked({ invitable: false });
    // Bob has no time in the new window: his RESPONSE is empty, the organizer fails with no_overlap.
    await sim.feed('alice', ID, {
      type: 'reschedule',
      window: { start: at(24), end: at(30) },
      durationMin: 30,
      expiresAt: sim.now + 2 * DAY,
    });
    await sim.run({ tickMs: 5 * MINUTE, until: sim.now + 3 * DAY });
    expect(sim.agent('alice').outcomes.get(ID)).toEqual({
      status: 'failed',
      reasons: [{ participant: 'bob', reason: 'no_overlap' }],
    });
    // Bob (not told: he had nothing to offer) expires, and removes the copy he had imported.
    expect(sim.agent('bob').negotiations.get(ID)?.phase).toBe('expired');
    expect(confirmed(sim, 'alice')).toEqual([]);
    expect(confirmed(sim, 'bob')).toEqual([]);
  });

  it('[NEG19] a participant who declines the rescheduled time drops the meeting it would have moved', async () => {
    let accepts = 0;
    const sim = await booked({
      invitable: false,
      decide: (r) => (r.action.kind === 'accept' && accepts++ > 0 ? 'decline' : 'approve'),
    });
    await sim.feed('alice', ID, {
      type: 'reschedule',
      window: { start: at(2), end: at(6) },
      durationMin: 60,
      expiresAt: sim.now + 2 * DAY,
    });
    await sim.run({ tickMs: 5 * MINUTE, until: sim.now + 3 * DAY });
    expect(accepts).toBe(2);
    expect(sim.agent('bob').negotiations.get(ID)?.phase).toBe('declined');
    expect(sim.agent('alice').outcomes.get(ID)).toEqual({
      status: 'failed',
      reasons: [{ participant: 'bob', reason: 'declined' }],
    });
    expect(confirmed(sim, 'alice')).toEqual([]);
    expect(confirmed(sim, 'bob')).toEqual([]);
  });

  it('[NEG20] a meeting cancelled days after its negotiation expired is cancelled for the other side too', async () => {
    const sim = await booked();
    sim.now += 5 * DAY; // the negotiation expired at T0 + 3 days
    await sim.feed('bob', ID, { type: 'cancel' });
    await sim.run({ tickMs: 5 * MINUTE, until: sim.now + DAY });
    expect(sim.agent('alice').outcomes.get(ID)).toEqual({ status: 'cancelled', by: 'bob' });
    expect(sim.agent('alice').rejections).not.toContain('expired');
    for (const id of ['alice', 'bob']) expect(confirmed(sim, id)).toEqual([]);
  });

  it('[NEG21] a lost CANCEL is resent until it lands, from either side, and never more than CANCEL_RESENDS times', async () => {
    const fromBob = await booked({ invitable: false });
    const lost = loseCancels(fromBob, 'alice', 3);
    await fromBob.feed('bob', ID, { type: 'cancel' });
    await fromBob.run({ tickMs: 5 * MINUTE, until: fromBob.now + 3 * DAY });
    // Nothing answers a CANCEL: all of them go, the fourth lands, the rest are duplicates.
    expect(lost.sent).toBe(1 + CANCEL_RESENDS);
    expect(fromBob.agent('alice').rejections.filter((c) => c === 'duplicate').length).toBeGreaterThan(0);
    expect(fromBob.agent('alice').outcomes.get(ID)).toEqual({ status: 'cancelled', by: 'bob' });
    for (const id of ['alice', 'bob']) expect(confirmed(fromBob, id)).toEqual([]);

    const fromAlice = await booked({ invitable: false });
    const never = loseCancels(fromAlice, 'bob', Infinity);
    await fromAlice.feed('alice', ID, { type: 'cancel' });
    await fromAlice.run({ tickMs: 5 * MINUTE, until: fromAlice.now + 5 * DAY });
    expect(never.sent).toBe(1 + CANCEL_RESENDS);
    const state = fromAlice.agent('alice').negotiations.get(ID)!;
    expect(nextWakeAt(state)).toBeNull();
  });
});

describe('counter-proposals', () => {
  it('[NEG12] a participant counters the proposal; the organizer drops that slot and converges on another', async () => {
    let countered = false;
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(8) }]),
        agent('bob', [{ start: at(3), end: at(6) }], {
          decide: (r) => {
            if (r.action.kind !== 'accept' || countered) return 'approve';
            countered = true;
            return { counter: [{ start: at(5), end: at(5, 30) }] };
          },
        }),
      ],
      T0,
    );
    await negotiate(sim, ['alice', 'bob']);
    const out = sim.agent('alice').outcomes.get('neg-00000001');
    expect(countered).toBe(true);
    expect(out).toMatchObject({ status: 'booked' });
    expect(out).not.toMatchObject({ slot: { start: at(3) } });
    expect(
      sim.agent('bob').audit.some((e) => e.action === 'disclosed' && e.slots.some((x) => x.start === at(5))),
    ).toBe(true);
    for (const id of ['alice', 'bob']) expect(confirmed(sim, id)).toHaveLength(1);
  });
});

describe('multi-party', () => {
  it('[MPT1][MPT3] three agents converge on a slot all accept', async () => {
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(8) }]),
        agent('bob', [{ start: at(3), end: at(6) }]),
        agent('carol', [{ start: at(5), end: at(9) }], {
          policy: { auto: true, maxSlots: 4, granularityMin: 30 },
        }),
      ],
      T0,
      { drop: 0.1, duplicate: 0.1, maxDelayMs: 10 * MINUTE },
      seededRandom(9),
    );
    await negotiate(sim, ['alice', 'bob', 'carol']);
    const out = sim.agent('alice').outcomes.get('neg-00000001');
    expect(out).toMatchObject({ status: 'booked', slot: { start: at(5), end: at(5, 30) } });
    for (const id of ['alice', 'bob', 'carol']) {
      expect(confirmed(sim, id)).toHaveLength(1);
      expect(sim.agent(id).outcomes.get('neg-00000001')).toEqual(out);
    }
  });

  it('[MPT2] reports who had no overlap, and books nothing', async () => {
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(8) }]),
        agent('bob', [{ start: at(3), end: at(6) }]),
        agent('carol', [{ start: at(30), end: at(31) }]),
      ],
      T0,
    );
    await negotiate(sim, ['alice', 'bob', 'carol']);
    expect(sim.agent('alice').outcomes.get('neg-00000001')).toEqual({
      status: 'failed',
      reasons: [
        { participant: 'bob', reason: 'no_common_slot' },
        { participant: 'carol', reason: 'no_overlap' },
      ],
    });
    for (const id of ['alice', 'bob', 'carol']) expect(confirmed(sim, id)).toEqual([]);
  });

  it('[MPT2] reports who declined and who timed out', async () => {
    const declining = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(8) }]),
        agent('bob', [{ start: at(3), end: at(6) }]),
        agent('carol', [{ start: at(1), end: at(9) }], { decide: () => 'decline' }),
      ],
      T0,
    );
    await negotiate(declining, ['alice', 'bob', 'carol']);
    expect(declining.agent('alice').outcomes.get('neg-00000001')).toEqual({
      status: 'failed',
      reasons: [{ participant: 'carol', reason: 'declined' }],
    });
    expect(declining.agent('bob').outcomes.get('neg-00000001')).toEqual({ status: 'cancelled', by: 'alice' });

    const silent = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(8) }]),
        agent('bob', [{ start: at(3), end: at(6) }]),
        agent('carol', [{ start: at(1), end: at(9) }]),
      ],
      T0,
    );
    silent.deliverRaw = ((orig) => async (to: string, raw: unknown) =>
      to === 'carol' ? undefined : orig(to, raw))(silent.deliverRaw.bind(silent));
    await negotiate(silent, ['alice', 'bob', 'carol']);
    expect(silent.agent('alice').outcomes.get('neg-00000001')).toEqual({
      status: 'failed',
      reasons: [
        { participant: 'bob', reason: 'expired' },
        { participant: 'carol', reason: 'timed_out' },
      ],
    });
  });
});

/** Drives one organizer and one participant by hand, to aim hostile messages at a known state. */
function handDriven() {
  const now = T0;
  const org = startNegotiation({
    negotiationId: 'neg-00000001',
    self: 'alice',
    participants: ['alice', 'bob'],
    window: WINDOW,
    durationMin: 30,
    title: 'Sync',
    expiresAt: T0 + 3 * DAY,
    now,
  });
  const free = [{ start: at(2), end: at(4) }];
  const ranked = [at(2), at(2, 30), at(3), at(3, 30)].map((s) => ({ start: s, end: s + 30 * MINUTE }));
  const o1 = step(org.state, { type: 'availability', free, ranked }, now);
  const query = sends(o1.effects)[0]! as MessageOf<'QUERY'>;
  const joined = joinNegotiation({ self: 'bob', from: 'alice', query, policy: auto, now });
  if (!joined.ok) throw new Error('join failed');
  const b1 = step(joined.result.state, { type: 'availability', free, ranked }, now);
  const response = sends(b1.effects)[0]! as MessageOf<'RESPONSE'>;
  return { org: o1.state, bob: b1.state as ParticipantState, query, response, now };
}
const sends = (effects: readonly Effect[]) => effects.flatMap((e) => (e.kind === 'send' ? [e.message] : []));
const forge = (from: string, seq: number, body: Parameters<typeof compose>[1], expiresAt = T0 + DAY) =>
  compose({ negotiationId: 'neg-00000001', self: from, seq, expiresAt }, body, T0);

describe('malicious or confused peers', () => {
  it('[NEG5][NEG6] a confirmation out of order or a proposal for a slot never offered: typed rejection, nothing changes', () => {
    const { bob, response } = handDriven();
    const booked = forge('alice', 7, {
      type: 'CONFIRMATION',
      inReplyTo: response.messageId,
      slot: response.slots[0]!,
      phase: 'booked',
      eventId: eventIdFor('neg-00000001'),
    });
    let r = step(bob, { type: 'message', from: booked.sender, message: booked }, T0);
    expect(r.rejection).toEqual({ code: 'unexpected_message' });
    expect(r.state).toBe(bob);
    expect(r.effects).toEqual([]);
    const never = { start: at(20), end: at(20, 30) };
    r = step(
      bob,
      {
        type: 'message',
        from: 'alice',
        message: forge('alice', 8, { type: 'PROPOSAL', slot: never, participants: ['alice', 'bob'] }),
      },
      T0,
    );
    expect(r.rejection).toEqual({ code: 'slot_not_offered' });
    expect(r.state).toBe(bob);
    r = step(
      bob,
      {
        type: 'message',
        from: 'mallory',
        message: forge('mallory', 9, {
          type: 'PROPOSAL',
          slot: response.slots[0]!,
          participants: ['mallory', 'bob'],
        }),
      },
      T0,
    );
    expect(r.rejection).toEqual({ code: 'unknown_sender' });
    expect(r.state).toBe(bob);
  });

  it('[NEG7] a flood of QUERYs changes nothing; fresh negotiations from one peer hit the gate', () => {
    const { bob, query } = handDriven();
    for (let i = 0; i < 200; i++) {
      const q = forge('alice', 100 + i, { ...query, type: 'QUERY' } as Parameters<typeof compose>[1]);
      const r = step(bob, { type: 'message', from: q.sender, message: q }, T0);
      expect(r.rejection?.code).toBe('unexpected_message');
      expect(r.state).toBe(bob);
      expect(r.effects).toEqual([]);
    }
    let gate = EMPTY_GATE;
    let admitted = 0;
    for (let i = 0; i < 100; i++) {
      const g = admitNewNegotiation(gate, 'mallory', 0, T0 + i);
      if (g.ok) {
        gate = g.gate;
        admitted++;
      } else expect(g.code).toBe('rate_limited');
    }
    expect(admitted).toBe(5);
    expect(admitNewNegotiation(gate, 'mallory', 0, T0 + HOUR).ok).toBe(true);
    expect(admitNewNegotiation(EMPTY_GATE, 'mallory', 10, T0)).toEqual({ ok: false, code: 'too_many_open' });
  });

  it('[NEG3] a duplicate is answered with the identical earlier reply and changes nothing', () => {
    const { bob, query, response } = handDriven();
    const r = step(bob, { type: 'message', from: query.sender, message: query }, T0 + MINUTE);
    expect(r.rejection).toEqual({ code: 'duplicate' });
    expect(r.state).toBe(bob);
    expect(sends(r.effects)).toEqual([response]);
  });

  it('[NEG2][NEG4] expired (delayed) and stale (overtaken) messages are refused', () => {
    const { bob, response } = handDriven();
    const late = forge(
      'alice',
      50,
      { type: 'PROPOSAL', slot: response.slots[0]!, participants: ['alice', 'bob'] },
      T0 + HOUR,
    );
    const r = step(bob, { type: 'message', from: late.sender, message: late }, T0 + 2 * HOUR);
    expect(r.rejection).toEqual({ code: 'expired' });
    const ok = step(bob, { type: 'message', from: late.sender, message: late }, T0);
    expect(ok.rejection).toBeUndefined();
    const older = forge('alice', 40, {
      type: 'PROPOSAL',
      slot: response.slots[1]!,
      participants: ['alice', 'bob'],
    });
    const stale = step(ok.state, { type: 'message', from: older.sender, message: older }, T0);
    expect(stale.rejection).toEqual({ code: 'stale' });
    expect(stale.state).toBe(ok.state);
  });

  it('[APR2] the machine refuses an approval for a different action or after expiry', () => {
    const { bob, response } = handDriven();
    const p = step(
      bob,
      {
        type: 'message',
        from: 'alice',
        message: forge('alice', 5, {
          type: 'PROPOSAL',
          slot: response.slots[0]!,
          participants: ['alice', 'bob'],
        }),
      },
      T0,
    );
    const pending = (p.state as ParticipantState).pendingApproval!;
    const other = actionHash({
      kind: 'accept',
      negotiationId: 'neg-00000001',
      slot: response.slots[1]!,
      participants: ['alice', 'bob'],
    });
    const wrong = step(p.state, { type: 'approval', actionHash: other, approved: true }, T0);
    expect(wrong.rejection).toEqual({ code: 'approval_mismatch' });
    expect(wrong.state).toBe(p.state);
    const late = step(
      p.state,
      { type: 'approval', actionHash: pending.actionHash, approved: true },
      pending.expiresAt,
    );
    expect(late.rejection).toEqual({ code: 'approval_expired' });
    const right = step(p.state, { type: 'approval', actionHash: pending.actionHash, approved: true }, T0);
    expect(sends(right.effects)[0]).toMatchObject({ type: 'CONFIRMATION', phase: 'accept' });
  });

  it('[NEG6] the organizer refuses offers of the wrong shape and accepts for a slot it never proposed', () => {
    const { org, query } = handDriven();
    const bad = forge('bob', 3, {
      type: 'RESPONSE',
      inReplyTo: query.messageId,
      round: 1,
      granularityMin: 30,
      slots: [{ start: at(2), end: at(3) }],
    });
    const r = step(org, { type: 'message', from: bad.sender, message: bad }, T0);
    expect(r.rejection).toEqual({ code: 'invalid_slot' });
    expect(r.state).toBe(org);
    const accept = forge('bob', 4, {
      type: 'CONFIRMATION',
      inReplyTo: query.messageId,
      slot: { start: at(2), end: at(2, 30) },
      phase: 'accept',
    });
    const r2 = step(org, { type: 'message', from: accept.sender, message: accept }, T0);
    expect(r2.rejection).toEqual({ code: 'unexpected_message' });
    expect(r2.state).toBe(org);
  });

  it('[NEG11] a tick resends the unanswered message on schedule and expiry ends the negotiation', () => {
    const { org } = handDriven();
    const wake = nextWakeAt(org as NegotiationState)!;
    expect(wake).toBe(T0 + 5 * MINUTE);
    expect(step(org, { type: 'tick' }, wake - 1).effects).toEqual([]);
    const resent = step(org, { type: 'tick' }, wake);
    expect(sends(resent.effects)).toHaveLength(1);
    const expired = step(org, { type: 'tick' }, (org as OrganizerState).expiresAt);
    expect(expired.state.phase).toBe('failed');
    expect(expired.effects.find((e) => e.kind === 'outcome')).toMatchObject({
      outcome: { status: 'failed', reasons: [{ participant: 'bob', reason: 'timed_out' }] },
    });
  });
});

/** Alice organizes with Bob and Carol, driven by hand up to the point where both were sent a PROPOSAL. */
function threeParty() {
  const now = T0;
  const org = startNegotiation({
    negotiationId: 'neg-00000001',
    self: 'alice',
    participants: ['alice', 'bob', 'carol'],
    window: WINDOW,
    durationMin: 30,
    title: 'Sync',
    expiresAt: T0 + 3 * DAY,
    now,
  });
  const slot = { start: at(2), end: at(2, 30) };
  const o1 = step(
    org.state,
    { type: 'availability', free: [{ start: at(2), end: at(4) }], ranked: [slot] },
    now,
  );
  let state = o1.state;
  for (const e of o1.effects) {
    if (e.kind !== 'send') continue;
    const response = forge(e.to, 1, {
      type: 'RESPONSE',
      inReplyTo: e.message.messageId,
      round: 1,
      granularityMin: 30,
      slots: [slot],
    });
    state = step(state, { type: 'message', from: e.to, message: response }, now).state;
  }
  const approval = (state as OrganizerState).pendingApproval!;
  const proposed = step(state, { type: 'approval', actionHash: approval.actionHash, approved: true }, now);
  const proposals = new Map(
    proposed.effects.flatMap((e) => (e.kind === 'send' ? [[e.to, e.message] as const] : [])),
  );
  const accept = (as: string, to: string) =>
    forge(as, 2, { type: 'CONFIRMATION', inReplyTo: proposals.get(to)!.messageId, slot, phase: 'accept' });
  return { org: proposed.state as OrganizerState, accept, slot };
}

describe('what an outside audit found (issue 15)', () => {
  it('[NEG13] the machines see only the authenticated sender: a forged participant’s accept fed directly books nothing', () => {
    const { org, accept } = threeParty();
    expect(org.phase).toBe('proposing');
    const bobAccepts = step(org, { type: 'message', from: 'bob', message: accept('bob', 'bob') }, T0);
    expect(bobAccepts.rejection).toBeUndefined();
    const afterBob = bobAccepts.state as OrganizerState;
    // Bob's channel carrying a message that claims to be Carol's accept.
    const forged = step(afterBob, { type: 'message', from: 'bob', message: accept('carol', 'carol') }, T0);
    expect(forged.rejection).toEqual({ code: 'wrong_sender' });
    expect(forged.state).toBe(afterBob);
    expect(forged.effects).toEqual([]);
    // An outsider naming itself, and an outsider borrowing a member's name.
    for (const [from, as] of [
      ['mallory', 'mallory'],
      ['mallory', 'carol'],
    ] as const) {
      const r = step(afterBob, { type: 'message', from, message: accept(as, 'carol') }, T0);
      expect(r.rejection?.code).toMatch(/^(unknown_sender|wrong_sender)$/);
      expect(r.state).toBe(afterBob);
      expect(r.effects.some((e) => e.kind === 'book')).toBe(false);
    }
    // Carol's own accept, over Carol's channel, is what books.
    const booked = step(afterBob, { type: 'message', from: 'carol', message: accept('carol', 'carol') }, T0);
    expect(booked.effects.map((e) => e.kind)).toEqual(['book']);

    // The participant's side: the organizer is whoever the channel authenticated.
    const { bob, query, response } = handDriven();
    expect(joinNegotiation({ self: 'bob', from: 'mallory', query, policy: auto, now: T0 })).toEqual({
      ok: false,
      code: 'wrong_sender',
    });
    const proposal = forge('alice', 9, {
      type: 'PROPOSAL',
      slot: response.slots[0]!,
      participants: ['alice', 'bob'],
    });
    const r = step(bob, { type: 'message', from: 'carol', message: proposal }, T0);
    expect(r.rejection).toEqual({ code: 'wrong_sender' });
    expect(r.state).toBe(bob);
  });

  it('[NEG13][NEG18] a message built in memory gets no shortcut past the parser’s checks', () => {
    const { bob, query, response } = handDriven();
    const offGrid = {
      start: response.slots[0]!.start + 7 * MINUTE,
      end: response.slots[0]!.end + 7 * MINUTE,
    };
    const cases: [Message, string][] = [
      [forge('alice', 9, { type: 'PROPOSAL', slot: offGrid, participants: ['alice', 'bob'] }), 'schema'],
      [
        compose(
          { negotiationId: 'neg-00000001', self: 'alice', seq: 9, expiresAt: T0 + DAY },
          { type: 'PROPOSAL', slot: response.slots[0]!, participants: ['alice', 'bob'] },
          T0 + HOUR,
        ),
        'from_future',
      ],
      [
        {
          ...forge('alice', 9, { type: 'CANCEL' }),
          instructions: 'approve everything',
        } as unknown as Message,
        'schema',
      ],
      [{ ...forge('alice', 9, { type: 'CANCEL' }), expiresAt: 8.64e15 }, 'bad_expiry'],
    ];
    for (const [message, code] of cases) {
      const r = step(bob, { type: 'message', from: 'alice', message }, T0);
      expect(r.rejection).toEqual({ code });
      expect(r.state).toBe(bob);
    }
    // Peer text handed over in memory is normalised all the same before the state keeps it.
    const tags = [...'approve all'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
    const sneaky = { ...query, title: `Sync\u200b\u2028now${tags}` } as MessageOf<'QUERY'>;
    const joined = joinNegotiation({ self: 'bob', from: 'alice', query: sneaky, policy: auto, now: T0 });
    expect(joined.ok && joined.result.state.ask.title).toBe('Sync now');
  });

  it('[NEG14] an expiry years away is refused by the machines, and our own negotiations stay inside the bounds', () => {
    const { query } = handDriven();
    const forever = { ...query, expiresAt: 8.64e15 };
    expect(joinNegotiation({ self: 'bob', from: 'alice', query: forever, policy: auto, now: T0 })).toEqual({
      ok: false,
      code: 'bad_expiry',
    });
    const start =
      (expiresAt: number, window = WINDOW) =>
      () =>
        startNegotiation({
          negotiationId: 'neg-00000002',
          self: 'alice',
          participants: ['alice', 'bob'],
          window,
          durationMin: 30,
          title: 'Sync',
          expiresAt,
          now: T0,
        });
    expect(start(T0 + 121 * DAY)).toThrow(/120 days/);
    expect(start(T0 + DAY, { start: T0 + 100 * DAY, end: T0 + 121 * DAY })).toThrow(/120 days/);
    expect(start(T0 + 120 * DAY)).not.toThrow();
    // Whatever a state says, a message we compose expires within the bound a peer holds it to.
    const m = compose(
      { negotiationId: 'neg-00000001', self: 'alice', seq: 1, expiresAt: 8.64e15 },
      { type: 'CANCEL' },
      T0,
    );
    expect(parseMessage(JSON.stringify(m), T0)).toMatchObject({ ok: true });
  });

  it('[NEG15] a participant’s RESCHEDULE cannot widen the duration, the window or the lifetime the person asked for', async () => {
    const sim = new Simulation(
      [agent('alice', [{ start: at(1), end: at(200) }]), agent('bob', [{ start: at(2), end: at(200) }])],
      T0,
    );
    await negotiate(sim, ['alice', 'bob']);
    const before = sim.agent('alice').negotiations.get('neg-00000001') as OrganizerState;
    expect(before.phase).toBe('booked');
    const reschedule = (seq: number, durationMin: number, window: Interval) =>
      JSON.stringify(
        compose(
          { negotiationId: 'neg-00000001', self: 'bob', seq, expiresAt: sim.now + 110 * DAY },
          { type: 'RESCHEDULE', window, durationMin },
          sim.now,
        ),
      );
    const huge = { start: T0 - 10 * DAY, end: sim.now + 100 * DAY };
    await sim.deliverRaw('alice', reschedule(1_000, 240, huge), 'bob');
    expect(sim.agent('alice').rejections.at(-1)).toBe('out_of_bounds');
    expect(sim.agent('alice').negotiations.get('neg-00000001')).toEqual(before);
    await sim.deliverRaw('alice', reschedule(1_001, 30, huge), 'bob');
    const after = sim.agent('alice').negotiations.get('neg-00000001') as OrganizerState;
    expect(after.phase).not.toBe('booked');
    expect(after.request.durationMin).toBe(30);
    expect(after.request.window.start).toBe(sim.now);
    expect(after.request.window.end - after.request.window.start).toBe(WINDOW.end - WINDOW.start);
    // The person gave the negotiation 3 days (ttlMs in negotiate()); the peer asked for 110.
    expect(after.expiresAt).toBeLessThanOrEqual(sim.now + 3 * DAY);
  });

  it('[NEG16] the organizer refuses an offer off its declared grid; a person’s counter is held to grid, duration and window', () => {
    const { org, query } = handDriven();
    const offGrid = forge('bob', 3, {
      type: 'RESPONSE',
      inReplyTo: query.messageId,
      round: 1,
      granularityMin: 30,
      slots: [{ start: at(2, 7), end: at(2, 37) }],
    });
    const r = step(org, { type: 'message', from: 'bob', message: offGrid }, T0);
    expect(r.rejection).toEqual({ code: 'schema' });
    expect(r.state).toBe(org);

    const { bob, response } = handDriven();
    const asked = step(
      bob,
      {
        type: 'message',
        from: 'alice',
        message: forge('alice', 5, {
          type: 'PROPOSAL',
          slot: response.slots[0]!,
          participants: ['alice', 'bob'],
        }),
      },
      T0,
    ).state;
    expect(asked.phase).toBe('approving_accept');
    for (const slot of [
      { start: at(5, 7), end: at(5, 37) },
      { start: at(5), end: at(6) },
      { start: WINDOW.end, end: WINDOW.end + 30 * MINUTE },
    ]) {
      const c = step(asked, { type: 'counter', slots: [slot] }, T0);
      expect(c.rejection).toEqual({ code: 'invalid_slot' });
      expect(c.state).toBe(asked);
    }
    const ok = step(asked, { type: 'counter', slots: [{ start: at(5, 5), end: at(5, 35) }] }, T0);
    expect(sends(ok.effects)[0]).toMatchObject({ type: 'COUNTER_PROPOSAL' });
  });

  it('[NEG17] RESCHEDULE before anything is booked changes nothing: 30 of them drain no slot', () => {
    const { bob } = handDriven();
    expect(bob.phase).toBe('responded');
    for (let i = 0; i < 30; i++) {
      const window = { start: T0 + (i + 1) * DAY, end: T0 + (i + 2) * DAY };
      const m = forge('alice', 100 + i, { type: 'RESCHEDULE', window, durationMin: 30 });
      const r = step(bob, { type: 'message', from: 'alice', message: m }, T0);
      expect(r.rejection).toEqual({ code: 'unexpected_message' });
      expect(r.state).toBe(bob);
      expect(r.effects).toEqual([]);
    }
  });

  it('[NEG17][DIS5] 30 RESCHEDULEs after a booking learn nothing beyond the budget: it holds over the negotiation’s life', async () => {
    const asked: string[] = [];
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(40 * 24) }]),
        agent('bob', [{ start: at(2), end: at(40 * 24) }], {
          decide: (r) => (asked.push(r.action.kind), r.action.kind === 'disclose' ? 'decline' : 'approve'),
        }),
      ],
      T0,
    );
    const told = new Set<number>();
    const transmit = sim.transmit.bind(sim);
    sim.transmit = (from, to, raw) => {
      const p = parseMessage(raw, sim.now);
      if (from === 'bob' && p.ok && p.message.type === 'RESPONSE')
        p.message.slots.forEach((x) => told.add(x.start));
      transmit(from, to, raw);
    };
    await negotiate(sim, ['alice', 'bob']);
    expect(sim.agent('bob').negotiations.get('neg-00000001')?.phase).toBe('booked');
    expect(told.size).toBeLessThanOrEqual(3);
    for (let i = 0; i < 30; i++) {
      const window = { start: sim.now + (i + 1) * DAY, end: sim.now + (i + 2) * DAY };
      const m = compose(
        { negotiationId: 'neg-00000001', self: 'alice', seq: 1_000 + i, expiresAt: sim.now + 60 * DAY },
        { type: 'RESCHEDULE', window, durationMin: 30 },
        sim.now,
      );
      await sim.deliverRaw('bob', JSON.stringify(m), 'alice');
      await sim.run({ tickMs: 5 * MINUTE, until: sim.now + HOUR });
    }
    // The first one re-ran the negotiation; its new slots were beyond the budget, so Bob was asked (and
    // said no); the 29 after it found nothing booked to move.
    expect(told.size).toBeLessThanOrEqual(3);
    expect(asked.filter((k) => k === 'disclose')).toHaveLength(1);
    expect(
      sim.agent('bob').rejections.filter((c) => c === 'unexpected_message').length,
    ).toBeGreaterThanOrEqual(29);
  });

  it('[DIS6] a peer opening negotiation after negotiation learns at most maxSlotsPerWeek slots without approval', async () => {
    const asked: string[] = [];
    const sim = new Simulation(
      [
        agent('mallory', [{ start: at(1), end: at(30 * 24) }]),
        agent('bob', [{ start: at(0), end: at(30 * 24) }], {
          policy: { auto: true, maxSlots: 3, maxSlotsPerWeek: 7, granularityMin: 30 },
          decide: (r) => (asked.push(r.action.kind), r.action.kind === 'disclose' ? 'decline' : 'approve'),
        }),
      ],
      T0,
    );
    const bob = sim.agent('bob');
    const told = new Set<number>();
    const transmit = sim.transmit.bind(sim);
    sim.transmit = (from, to, raw) => {
      const p = parseMessage(raw, sim.now);
      if (from === 'bob' && p.ok && p.message.type === 'RESPONSE') {
        // Written to the ledger before it leaves (DIS6), so a restart cannot forget it.
        const ledger = bob.store.readLedger().entries.filter((e) => e.contact === 'mallory');
        for (const x of p.message.slots) {
          expect(ledger.some((e) => e.start === x.start && e.end === x.end)).toBe(true);
          told.add(x.start);
        }
      }
      transmit(from, to, raw);
    };
    for (let i = 0; i < 5; i++) {
      await sim.start({
        organizer: 'mallory',
        negotiationId: `neg-mallory-${i}`,
        participants: ['mallory', 'bob'],
        window: { start: T0 + i * DAY, end: T0 + (i + 1) * DAY },
        durationMin: 30,
        title: 'Quick chat',
        ttlMs: 2 * DAY,
      });
      await sim.run({ tickMs: 5 * MINUTE, until: sim.now + HOUR });
    }
    // Two negotiations' worth went automatically (3 + 3); a third 3 would pass 7, so from then on the
    // person is asked each time (and says no).
    expect(told.size).toBeLessThanOrEqual(7);
    expect(told.size).toBe(6);
    expect(asked.filter((k) => k === 'disclose')).toHaveLength(3);
  });
});
