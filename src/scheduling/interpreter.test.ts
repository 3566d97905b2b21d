import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureLog, type LogLine } from '../log';
import { prepareScheduling } from './hash';
import { EMPTY_GATE } from './inbound-gate';
import { type InterpreterPorts, MAX_EFFECT_ATTEMPTS, NegotiationInterpreter } from './interpreter';
import { HOUR, type Interval, MINUTE, covers, normalize } from './interval';
import { compose } from './negotiation-common';
import {
  InMemoryNegotiationStore,
  type SimAgentConfig,
  Simulation,
  SimulatedCrash,
  seededRandom,
} from './simulation';

beforeAll(prepareScheduling);

const T0 = Date.UTC(2024, 5, 3, 8); // Monday 08:00Z
const DAY = 24 * HOUR;
const WINDOW = { start: T0, end: T0 + 5 * DAY };
const ID = 'neg-00000001';
const auto = { auto: true, maxSlots: 3, granularityMin: 30 as const };
const at = (h: number, m = 0) => T0 + h * HOUR + m * MINUTE;
const agent = (id: string, free: Interval[], extra: Partial<SimAgentConfig> = {}): SimAgentConfig => ({
  id,
  free,
  policy: auto,
  ...extra,
});
const pair = () => [
  agent('alice', [{ start: at(1), end: at(4) }]),
  agent('bob', [{ start: at(2), end: at(6) }]),
];

const confirmed = (sim: Simulation, id: string) =>
  sim
    .agent(id)
    .calendar.list()
    .filter((e) => e.status === 'confirmed');

async function negotiate(sim: Simulation, participants = ['alice', 'bob']) {
  await sim.start({
    organizer: participants[0]!,
    negotiationId: ID,
    participants,
    window: WINDOW,
    durationMin: 30,
    title: 'Sync with Dana',
    ttlMs: 3 * DAY,
  });
  await sim.run({ tickMs: 5 * MINUTE, until: T0 + 4 * DAY });
}

let lines: LogLine[];
beforeEach(() => {
  lines = [];
  configureLog({ level: 'debug', consoleLevel: 'error', write: (l) => lines.push(l) });
});
afterEach(() => configureLog({ level: 'info', consoleLevel: 'warn', write: null }));

describe('the worker dies between an effect and its commit', () => {
  it('[INT1][INT2] the booking is stored as pending before it is made, made again after the restart, and lands once', async () => {
    const sim = new Simulation(pair(), T0);
    const alice = sim.agent('alice');
    let seenBeforeBooking: string | undefined;
    let crashed = false;
    alice.store.beforePut = (record) => {
      // The commit that would record "booked": the calendar already has the event.
      if (!crashed && record.state.phase === 'booked') {
        crashed = true;
        const stored = alice.store.read(ID)!;
        seenBeforeBooking = `${stored.state.phase}:${stored.pending?.[0]?.effect.kind}`;
        throw new SimulatedCrash('the worker died');
      }
    };
    await negotiate(sim);
    expect(crashed).toBe(true);
    expect(seenBeforeBooking).toBe('booking:book');
    expect(alice.restarts).toBe(1);
    const out = alice.outcomes.get(ID);
    expect(out).toMatchObject({ status: 'booked' });
    expect(sim.agent('bob').outcomes.get(ID)).toEqual(out);
    for (const id of ['alice', 'bob']) expect(confirmed(sim, id)).toHaveLength(1);
    expect(alice.store.read(ID)!.pending).toEqual([]);
  });

  it('[INT2] restarts at random commits over a lossy network still converge on one event per calendar', async () => {
    let restarts = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 0.02, max: 0.3, noNaN: true }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 20 }),
        async (seed, crashRate, drop, delayMin, offsetH) => {
          const sim = new Simulation(
            [
              agent('alice', [{ start: at(offsetH), end: at(offsetH + 4) }]),
              agent('bob', [{ start: at(offsetH + 2), end: at(offsetH + 8) }]),
            ],
            T0,
            { drop, duplicate: drop / 2, maxDelayMs: delayMin * MINUTE },
            seededRandom(seed),
            { crashRate },
          );
          await negotiate(sim);
          restarts += sim.agent('alice').restarts + sim.agent('bob').restarts;
          const a = sim.agent('alice').outcomes.get(ID);
          expect(a?.status).toBe('booked');
          expect(sim.agent('bob').outcomes.get(ID)).toEqual(a);
          for (const id of ['alice', 'bob']) {
            const ev = confirmed(sim, id);
            expect(ev).toHaveLength(1);
            expect(covers(normalize(sim.agent(id).config.free), ev[0]!.slot.start, ev[0]!.slot.end)).toBe(
              true,
            );
          }
        },
      ),
      { seed: 7, numRuns: 30 },
    );
    expect(restarts).toBeGreaterThan(0);
  });
});

describe('the calendar write fails', () => {
  it('[INT3] a failed booking ends the negotiation failed for the organizer, cancelled for participants, logged without user data, nothing booked', async () => {
    const sim = new Simulation(pair(), T0);
    sim.agent('alice').calendar.createEvent = async () => {
      throw Object.assign(new Error('Sync with Dana: quota exceeded'), { code: 'calendar_failed' });
    };
    await negotiate(sim);
    expect(sim.agent('alice').outcomes.get(ID)).toEqual({
      status: 'failed',
      reasons: [{ participant: 'alice', reason: 'booking_failed' }],
    });
    expect(sim.agent('bob').outcomes.get(ID)).toEqual({ status: 'cancelled', by: 'alice' });
    for (const id of ['alice', 'bob']) expect(confirmed(sim, id)).toEqual([]);
    const logged = lines.filter((l) => l.event === 'booking_failed');
    expect(logged).toHaveLength(1);
    // Identifiers only (the error class is in `errorFields` too; src/log decides how it is written).
    expect(logged[0]!.fields).toMatchObject({ code: 'calendar_failed', mode: 'create' });
    expect(JSON.stringify(lines)).not.toContain('Dana');
  });

  it('[INT2][INT3] a booking written just before the worker died, whose retry then fails, is taken off the calendar', async () => {
    const sim = new Simulation(pair(), T0);
    const alice = sim.agent('alice');
    let crashed = false;
    alice.store.beforePut = (record) => {
      // The commit after the event was written: the worker dies, the retry finds the calendar down.
      if (!crashed && record.state.phase === 'booked') {
        crashed = true;
        written = alice.calendar.list().length;
        outage = 2; // the retried booking and the first try of the cancellation
        throw new SimulatedCrash('the worker died');
      }
    };
    let written = 0;
    let outage = 0;
    const find = alice.calendar.findByICalUID.bind(alice.calendar);
    alice.calendar.findByICalUID = async (uid) => {
      if (outage-- > 0) throw new Error('503');
      return find(uid);
    };
    await negotiate(sim);
    expect(crashed).toBe(true);
    expect(written).toBe(1);
    expect(alice.outcomes.get(ID)).toEqual({
      status: 'failed',
      reasons: [{ participant: 'alice', reason: 'booking_failed' }],
    });
    expect(alice.calendar.list().map((e) => e.status)).toEqual(['cancelled']);
    for (const id of ['alice', 'bob']) expect(confirmed(sim, id)).toEqual([]);
  });

  it('[INT4] an invitee whose calendar refuses the copy retries on ticks until it lands, once', async () => {
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(4) }]),
        agent('bob', [{ start: at(2), end: at(6) }], { invitable: false }),
      ],
      T0,
    );
    const bob = sim.agent('bob');
    const importEvent = bob.calendar.importEvent.bind(bob.calendar);
    let refusals = 2;
    bob.calendar.importEvent = async (plan) => {
      if (refusals-- > 0) throw new Error('503');
      return importEvent(plan);
    };
    await negotiate(sim);
    expect(bob.outcomes.get(ID)).toMatchObject({ status: 'booked' });
    expect(confirmed(sim, 'bob')).toHaveLength(1);
    expect(lines.filter((l) => l.event === 'invitation_failed')).toHaveLength(2);
    expect(bob.store.read(ID)!.retry).toEqual([]);
  });

  it('[INT4] an invitation that never lands is given up after the last attempt and recorded as the problem', async () => {
    const sim = new Simulation(
      [
        agent('alice', [{ start: at(1), end: at(4) }]),
        agent('bob', [{ start: at(2), end: at(6) }], { invitable: false }),
      ],
      T0,
    );
    const bob = sim.agent('bob');
    bob.calendar.importEvent = async () => {
      throw new Error('403');
    };
    await negotiate(sim);
    const record = bob.store.read(ID)!;
    expect(record.problems).toEqual(['ensure_invitation']);
    expect(record.retry).toEqual([]);
    expect(lines.filter((l) => l.event === 'invitation_failed')).toHaveLength(MAX_EFFECT_ATTEMPTS);
    expect(lines.filter((l) => l.event === 'effect_abandoned')).toHaveLength(1);
  });
});

describe('the network fails', () => {
  it('[INT4] a send that throws is retried on ticks; the negotiation still books once', async () => {
    const sim = new Simulation(pair(), T0);
    const transmit = sim.transmit.bind(sim);
    let failures = 3;
    sim.transmit = (from, to, raw) => {
      if (from === 'bob' && failures-- > 0) throw new Error('link down');
      transmit(from, to, raw);
    };
    await negotiate(sim);
    expect(sim.agent('alice').outcomes.get(ID)).toMatchObject({ status: 'booked' });
    for (const id of ['alice', 'bob']) expect(confirmed(sim, id)).toHaveLength(1);
    expect(lines.filter((l) => l.event === 'send_failed').length).toBe(3);
  });

  it('[INT6] a peer offline for hours gets the retransmitted messages when it comes back, before expiry', async () => {
    const sim = new Simulation(pair(), T0);
    const deliver = sim.deliverRaw.bind(sim);
    const back = T0 + 3 * HOUR;
    let dropped = 0;
    sim.deliverRaw = async (to, raw, from) => {
      if (to === 'bob' && sim.now < back) {
        dropped++;
        return;
      }
      return deliver(to, raw, from);
    };
    await negotiate(sim);
    expect(dropped).toBeGreaterThan(10);
    expect(sim.agent('alice').outcomes.get(ID)).toMatchObject({ status: 'booked' });
    expect(confirmed(sim, 'bob')).toHaveLength(1);
  });
});

describe('rescheduling', () => {
  it('[INT8] a participant whose reschedule request is lost stays booked, outcome included; the organizer reopens and drops it', async () => {
    const sim = new Simulation(
      [agent('alice', [{ start: at(1), end: at(30) }]), agent('bob', [{ start: at(2), end: at(30) }])],
      T0,
    );
    await negotiate(sim);
    const booked = sim.agent('bob').outcomes.get(ID);
    expect(booked).toMatchObject({ status: 'booked' });
    const transmit = sim.transmit.bind(sim);
    let lost = 0;
    sim.transmit = (from, to, raw) => {
      if (raw.includes('"type":"RESCHEDULE"')) return void lost++;
      transmit(from, to, raw);
    };
    const ask = { window: { start: at(24), end: at(30) }, durationMin: 30, expiresAt: sim.now + DAY };
    await sim.feed('bob', ID, { type: 'reschedule', ...ask });
    await sim.run({ tickMs: 5 * MINUTE, until: sim.now + 2 * DAY });
    expect(lost).toBe(1);
    expect(sim.agent('bob').store.read(ID)).toMatchObject({ state: { phase: 'booked' }, outcome: booked });
    expect(sim.agent('alice').outcomes.get(ID)).toEqual(booked);
    // The organizer's own reschedule runs the negotiation again: its old outcome goes at once.
    sim.transmit = transmit;
    await sim.feed('alice', ID, { type: 'reschedule', ...ask, expiresAt: sim.now + DAY });
    expect(sim.agent('alice').store.read(ID)).toMatchObject({ state: { phase: 'querying' } });
    expect(sim.agent('alice').store.read(ID)!.outcome).toBeUndefined();
  });
});

/** One interpreter on an in-memory store, with ports that record what they were asked. */
function harness(self: string, overrides: Partial<InterpreterPorts> = {}) {
  const store = new InMemoryNegotiationStore();
  const sent: { to: string; raw: string }[] = [];
  const refused: string[] = [];
  const asked: string[] = [];
  let now = T0;
  const ports = (): InterpreterPorts => ({
    self,
    store,
    audit: store,
    network: { send: async (to, raw) => void sent.push({ to, raw }) },
    calendar: {
      availability: async () => ({
        free: [{ start: at(2), end: at(4) }],
        ranked: [{ start: at(2), end: at(2, 30) }],
      }),
      book: async () => undefined,
      cancel: async () => undefined,
    },
    approvals: {
      requested: (id) =>
        void asked.push(`${id}:${store.read(id)?.state.pendingApproval ? 'stored' : 'missing'}`),
    },
    policy: { disclosure: async () => ({ ...auto, auto: false }) },
    clock: () => now,
    serialize: (task) => task(),
    refused: (code) => void refused.push(code),
    ...overrides,
  });
  return { store, sent, refused, asked, ports, advance: (ms: number) => (now += ms) };
}

function queryFrom(organizer: string, negotiationId: string) {
  const query = compose(
    { negotiationId, self: organizer, seq: 1, expiresAt: T0 + DAY },
    { type: 'QUERY', round: 1, window: WINDOW, durationMin: 30, participants: [organizer, 'bob'] },
    T0,
  );
  return { query: JSON.stringify(query) };
}

describe('the inbound path', () => {
  it('[INT5] a message is refused unless its sender is the channel sender, and only a QUERY opens a negotiation', async () => {
    const h = harness('bob');
    const bob = new NegotiationInterpreter(h.ports());
    const { query } = queryFrom('alice', ID);
    await bob.receive('mallory', query);
    expect(h.refused).toEqual(['wrong_sender']);
    expect(h.store.all()).toEqual([]);
    const cancel = compose(
      { negotiationId: 'neg-other', self: 'alice', seq: 1, expiresAt: T0 + DAY },
      { type: 'CANCEL' },
      T0,
    );
    await bob.receive('alice', JSON.stringify(cancel));
    await bob.receive('alice', '{"v":1,');
    expect(h.refused).toEqual(['wrong_sender', 'unexpected_message', 'not_json']);
    await bob.receive('alice', query);
    expect(h.store.read(ID)?.state).toMatchObject({ role: 'participant', phase: 'approving_disclosure' });
  });

  it('[INT5][INT7] the approval is stored before the person is asked; the gate survives a restart', async () => {
    const h = harness('bob');
    let bob = new NegotiationInterpreter(h.ports());
    for (let i = 0; i < 5; i++) await bob.receive('mallory', queryFrom('mallory', `neg-mallory-${i}`).query);
    expect(h.asked).toEqual([0, 1, 2, 3, 4].map((i) => `neg-mallory-${i}:stored`));
    // A restarted worker reads the gate back: the flooder gets no fresh tokens.
    bob = new NegotiationInterpreter(h.ports());
    expect(await h.store.gate()).not.toEqual(EMPTY_GATE);
    await bob.receive('mallory', queryFrom('mallory', 'neg-mallory-5').query);
    expect(h.refused).toEqual(['rate_limited']);
    expect(h.store.read('neg-mallory-5')).toBeUndefined();
  });
});
