import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeAvailability } from './availability';
import { prepareScheduling } from './hash';
import { DAY, HOUR, type Interval, MINUTE, covers, normalize } from './interval';
import { parseMessage } from './messages';
import { CONVERGE_ROUNDS, RESULT_KINDS, type NegotiationResult, resultOf } from './negotiation-types';
import { type OrganizerState, candidatesPerRound, waitingFor } from './organizer-machine';
import { type DisclosurePolicy, parsePreferences } from './preferences';
import { type SimAgentConfig, Simulation } from './simulation';
import { findSlots } from './slots';

beforeAll(prepareScheduling);

// Monday 7 December 2026 00:00Z; a week's window, everyone in UTC unless a test says otherwise.
const T0 = Date.UTC(2026, 11, 7);
const WINDOW: Interval = { start: T0, end: T0 + 7 * DAY };
const ID = 'neg-converge-1';
/** The product's default rule for a contact, asked once (ASK1). */
const ONCE: DisclosurePolicy = { auto: false, maxSlots: 3, granularityMin: 30, decision: 'once' };
/** Today's default: every disclosure and every acceptance asked (and nothing beyond 3 slots without it). */
const EACH: DisclosurePolicy = { auto: false, maxSlots: 3, granularityMin: 30 };

type Hours = { start: string; end: string };

/** A person as the product sees them: hours in a zone, busy times, availability and ranking by findSlots. */
function person(
  id: string,
  hours: Hours,
  opts: {
    zone?: string;
    busy?: Interval[];
    policy?: DisclosurePolicy;
    decide?: SimAgentConfig['decide'];
    durationMin?: number;
  } = {},
): SimAgentConfig {
  const day = [hours];
  const prefs = parsePreferences({
    timeZone: opts.zone ?? 'UTC',
    workingHours: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] },
  });
  const av = computeAvailability({
    participantId: id,
    preferences: prefs,
    snapshot: {
      events: (opts.busy ?? []).map((b, i) => ({
        id: `b${i}`,
        calendarId: 'primary',
        kind: 'timed' as const,
        status: 'busy' as const,
        start: b.start,
        end: b.end,
      })),
      calendars: [{ calendarId: 'primary', known: [{ start: T0 - DAY, end: T0 + 9 * DAY }] }],
    },
    window: WINDOW,
    now: T0,
  });
  return {
    id,
    free: av.free,
    policy: opts.policy ?? ONCE,
    ...(opts.decide ? { decide: opts.decide } : {}),
    availability: ({ durationMin }) => ({
      free: av.free,
      ranked: findSlots([av], { durationMin, granularityMin: 30, limit: 100 }),
      hours: av.hours,
    }),
  };
}

async function run(sim: Simulation, people: readonly string[], consent: boolean, durationMin = 30) {
  await sim.start({
    organizer: people[0]!,
    negotiationId: ID,
    participants: people,
    window: WINDOW,
    durationMin,
    title: 'Review',
    ttlMs: 7 * DAY,
    consent,
  });
  await sim.run({ tickMs: 5 * MINUTE, until: T0 + 9 * DAY, jump: true });
  return sim.agent(people[0]!).store.read(ID)!;
}

/** A person who decides once: approves the first thing they are asked, declines anything after it. */
const decidesOnce = (): SimAgentConfig['decide'] => {
  let asked = 0;
  return () => (asked++ === 0 ? 'approve' : 'decline');
};

describe('convergence (CNV)', () => {
  it('[CNV1] issue 16: Ben 13–15, Cy 09–17, budget 3, each person deciding once — today no time is found, converging books one', async () => {
    const hours = { ana: { start: '09:00', end: '17:00' }, ben: { start: '13:00', end: '15:00' } };
    const today = new Simulation(
      [
        person('ana', hours.ana, { policy: EACH, decide: decidesOnce() }),
        person('ben', hours.ben, { policy: EACH, decide: decidesOnce() }),
        person('cy', hours.ana, { policy: EACH, decide: decidesOnce() }),
      ],
      T0,
    );
    const before = await run(today, ['ana', 'ben', 'cy'], false);
    expect(before.outcome?.status).not.toBe('booked');

    const sim = new Simulation(
      [person('ana', hours.ana), person('ben', hours.ben), person('cy', hours.ana)],
      T0,
    );
    const after = await run(sim, ['ana', 'ben', 'cy'], true);
    expect(after.result?.kind).toBe('booked');
    const slot = after.outcome!.status === 'booked' ? after.outcome!.slot : null;
    // Inside Ben's 13:00–15:00 (UTC), on one calendar each.
    const local = ((slot!.start - T0) % DAY) / HOUR;
    expect(local).toBeGreaterThanOrEqual(13);
    expect(local + 0.5).toBeLessThanOrEqual(15);
    for (const id of ['ana', 'ben', 'cy']) {
      expect(
        sim
          .agent(id)
          .calendar.list()
          .filter((e) => e.status === 'confirmed'),
      ).toHaveLength(1);
    }
    // [ASK1] nobody was asked more than once; the organizer not at all (its request was the consent).
    expect(sim.agent('ana').approvals).toHaveLength(0);
    for (const id of ['ben', 'cy']) expect(sim.agent(id).approvals.length).toBeLessThanOrEqual(1);
  });

  it('[CNV2][CNV6] the organizer asks for hours first, then with candidates inside the window, of the asked duration, audited as disclosed', async () => {
    const sim = new Simulation(
      [person('ana', { start: '09:00', end: '17:00' }), person('ben', { start: '13:00', end: '15:00' })],
      T0,
    );
    const sent: string[] = [];
    const transmit = sim.transmit.bind(sim);
    sim.transmit = (from, to, raw) => {
      sent.push(raw);
      transmit(from, to, raw);
    };
    await run(sim, ['ana', 'ben'], true);
    const queries = sent
      .map((raw) => parseMessage(raw, T0))
      .flatMap((p) => (p.ok && p.message.type === 'QUERY' ? [p.message] : []));
    expect(queries.length).toBeGreaterThan(1);
    // [CNV6] the first round asks only for hours; every later one carries candidates.
    expect(queries[0]!.round).toBe(1);
    expect(queries[0]!.candidates).toBeUndefined();
    expect(queries[0]!.hours?.length).toBeGreaterThan(0);
    for (const q of queries.slice(1)) {
      expect(q.candidates?.length).toBeGreaterThan(0);
      for (const c of q.candidates!) {
        expect(c.end - c.start).toBe(30 * MINUTE);
        expect(c.start >= WINDOW.start && c.end <= WINDOW.end).toBe(true);
      }
    }
    const told = sim.agent('ana').audit.filter((e) => e.action === 'disclosed');
    expect(told.flatMap((e) => e.slots).length).toBe(queries.flatMap((q) => q.candidates ?? []).length);
  });

  it('[CNV5] the chosen time is the fairest across time zones: the least-pleased person is least displeased', async () => {
    // Ana in UTC 08–16, Ben in UTC+8 08–16 (= 00–08Z): they share nothing — no time, a precise reason.
    const far = new Simulation(
      [
        person('ana', { start: '08:00', end: '16:00' }),
        person('ben', { start: '08:00', end: '16:00' }, { zone: 'Etc/GMT-9' }),
      ],
      T0,
    );
    const none = await run(far, ['ana', 'ben'], true);
    expect(none.result).toEqual({ kind: 'no_common_time', noOverlap: ['ben'] });
    // Ben in UTC+4 09–17 (= 05–13Z), Ana 09–17Z: the overlap is 09–13Z, the end of Ben's day and the start
    // of Ana's. The fairest slot sits in the middle of it, not at either one's edge.
    const sim = new Simulation(
      [
        person('ana', { start: '09:00', end: '17:00' }),
        person('ben', { start: '09:00', end: '17:00' }, { zone: 'Etc/GMT-4' }),
      ],
      T0,
    );
    const r = await run(sim, ['ana', 'ben'], true);
    expect(r.result?.kind).toBe('booked');
    const slot = (r.result as Extract<NegotiationResult, { kind: 'booked' }>).slot;
    const hourZ = ((slot.start - T0) % DAY) / HOUR;
    expect(hourZ).toBeGreaterThanOrEqual(10);
    expect(hourZ).toBeLessThanOrEqual(12);
  });

  it('[CNV3][CNV4][CNV8] property: when a common slot exists inside everyone’s rules it is found (else no common time), participants tell only fitting candidates, nobody more than its budget in any round', async () => {
    const hours = fc.record({ from: fc.integer({ min: 14, max: 24 }), len: fc.integer({ min: 4, max: 18 }) });
    const arb = fc.record({
      people: fc.array(
        fc.record({ hours, busy: fc.array(fc.integer({ min: 0, max: 47 }), { maxLength: 12 }) }),
        { minLength: 2, maxLength: 4 },
      ),
      duration: fc.constantFrom(30, 60),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ people, duration }) => {
        const half = (n: number) => `${String(Math.floor(n / 2)).padStart(2, '0')}:${n % 2 ? '30' : '00'}`;
        const configs = people.map((p, i) =>
          person(
            `p${i}`,
            { start: half(p.hours.from), end: half(Math.min(48, p.hours.from + p.hours.len)) },
            {
              // Busy half-hours on the first two days.
              busy: p.busy.map((k) => ({
                start: T0 + Math.floor(k / 24) * DAY + (k % 24) * 30 * MINUTE + 8 * HOUR,
                end: T0 + Math.floor(k / 24) * DAY + (k % 24) * 30 * MINUTE + 8 * HOUR + 30 * MINUTE,
              })),
            },
          ),
        );
        const common = configs.reduce<Interval[]>(
          (acc, c) =>
            normalize(
              acc.flatMap((a) =>
                c.free
                  .map((f) => ({ start: Math.max(a.start, f.start), end: Math.min(a.end, f.end) }))
                  .filter((x) => x.end > x.start),
              ),
            ),
          [WINDOW],
        );
        const exists = common.some((x) => {
          const g = 30 * MINUTE;
          const s = Math.ceil(x.start / g) * g;
          return s + duration * MINUTE <= x.end;
        });
        const sim = new Simulation(configs, T0);
        const ids = configs.map((c) => c.id);
        const r = await run(sim, ids, true, duration);
        expect(RESULT_KINDS).toContain(r.result?.kind);
        expect(r.result?.kind === 'booked').toBe(exists);
        // [CNV8] without a common slot it ends with that reason, never by running out the clock.
        if (!exists) expect(r.result?.kind).toBe('no_common_time');
        // [CNV3] participants only ever tell which of the organizer's candidates fit.
        const asked = sim
          .agent(ids[0]!)
          .audit.filter((e) => e.action === 'disclosed')
          .flatMap((e) => e.slots.map((x) => x.start));
        for (const id of ids.slice(1)) {
          for (const e of sim.agent(id).audit.filter((x) => x.action === 'disclosed'))
            for (const x of e.slots) expect(asked).toContain(x.start);
        }
        if (r.result?.kind === 'booked') {
          for (const c of configs)
            expect(covers(normalize(c.free), r.result.slot.start, r.result.slot.end)).toBe(true);
        }
        // Every participant's disclosures: at most maxSlots slots not told before, in every round (one audit
        // entry per answer), and only after its person's one decision.
        for (const id of ids.slice(1)) {
          const told: string[] = [];
          for (const entry of sim.agent(id).audit.filter((e) => e.action === 'disclosed')) {
            const fresh = entry.slots.filter((s) => !told.includes(`${s.start}`));
            expect(fresh.length).toBeLessThanOrEqual(ONCE.maxSlots);
            told.push(...fresh.map((s) => `${s.start}`));
          }
          expect(sim.agent(id).approvals.length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 40, seed: 16 },
    );
  }, 120_000);
});

describe('stopping early and telling little (CNV6–CNV8)', () => {
  /** Every free time anyone told anyone (slots in `disclosed` audit entries), and every range of hours. */
  const told = (sim: Simulation, ids: readonly string[]) => {
    const entries = ids.flatMap((id) => sim.agent(id).audit.filter((e) => e.action === 'disclosed'));
    return { slots: entries.flatMap((e) => e.slots), hours: entries.flatMap((e) => e.hours ?? []) };
  };
  const round = (r: { state: unknown }) => (r.state as OrganizerState).round;
  const weekdays = (f: (day: number) => Interval[]) => [0, 1, 2, 3, 4].flatMap((d) => f(T0 + d * DAY));

  it('[CNV6] hours that never meet end the negotiation in round 1 with no common time, and no free time is told', async () => {
    // Ana 09–17Z; Ben 09–12Z and Cy 13–17Z: each shares hours with Ana, never with each other.
    const sim = new Simulation(
      [
        person('ana', { start: '09:00', end: '17:00' }),
        person('ben', { start: '09:00', end: '12:00' }),
        person('cy', { start: '13:00', end: '17:00' }),
      ],
      T0,
    );
    const ids = ['ana', 'ben', 'cy'];
    const r = await run(sim, ids, true);
    expect(r.result).toEqual({ kind: 'no_common_time', noOverlap: [] });
    expect(round(r)).toBe(1);
    const t = told(sim, ids);
    expect(t.slots).toEqual([]);
    // Ana told her hours (to each of the two); each told only the part of theirs inside Ana's.
    expect(t.hours.length).toBeGreaterThan(0);
    for (const h of sim.agent('ben').audit.flatMap((e) => e.hours ?? [])) {
      expect(((h.start - T0) % DAY) / HOUR).toBeGreaterThanOrEqual(9);
      expect(((h.end - T0) % DAY) / HOUR).toBeLessThanOrEqual(12);
    }
    for (const id of ids) expect(sim.agent(id).approvals).toHaveLength(0);
  });

  it('[CNV7] a participant busy through all of the organizer’s hours answers exhausted: no common time at once, naming them', async () => {
    // Ben's hours run 09–20Z but he is busy 09–17Z every weekday: his free time lies outside Ana's hours.
    const sim = new Simulation(
      [
        person('ana', { start: '09:00', end: '17:00' }),
        person(
          'ben',
          { start: '09:00', end: '20:00' },
          { busy: weekdays((d) => [{ start: d + 9 * HOUR, end: d + 17 * HOUR }]) },
        ),
        person('cy', { start: '09:00', end: '17:00' }),
      ],
      T0,
    );
    const sent: string[] = [];
    const transmit = sim.transmit.bind(sim);
    sim.transmit = (from, to, raw) => {
      sent.push(raw);
      transmit(from, to, raw);
    };
    const ids = ['ana', 'ben', 'cy'];
    const r = await run(sim, ids, true);
    expect(r.result).toEqual({ kind: 'no_common_time', noOverlap: ['ben'] });
    expect(round(r)).toBe(1);
    const answers = sent
      .map((raw) => parseMessage(raw, T0))
      .flatMap((p) =>
        p.ok && p.message.type === 'RESPONSE' && p.message.sender === 'ben' ? [p.message] : [],
      );
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ exhausted: true, slots: [] });
    expect(answers[0]!.hours).toBeUndefined();
    expect(told(sim, ids).slots).toEqual([]);
    // Everyone's negotiation ended: nothing is left open until the expiry.
    for (const id of ['ben', 'cy']) expect(sim.agent(id).store.read(ID)!.outcome).toBeDefined();
  });

  it('[CNV8] when the search space is empty the negotiation ends at once, before its rounds are used up', async () => {
    // Same hours; Ana is busy on every odd half-hour, Ben on every even one: no common 30 minutes.
    const halves = (odd: boolean) =>
      weekdays((d) =>
        Array.from({ length: 16 }, (_, i) => i)
          .filter((i) => i % 2 === (odd ? 1 : 0))
          .map((i) => ({ start: d + 9 * HOUR + i * 30 * MINUTE, end: d + 9 * HOUR + (i + 1) * 30 * MINUTE })),
      );
    const sim = new Simulation(
      [
        person('ana', { start: '09:00', end: '17:00' }, { busy: halves(true) }),
        person('ben', { start: '09:00', end: '17:00' }, { busy: halves(false) }),
      ],
      T0,
    );
    const r = await run(sim, ['ana', 'ben'], true);
    expect(r.result).toEqual({ kind: 'no_common_time', noOverlap: [] });
    // 40 free slots of Ana's, asked 2, 4, 8, 16, 20 per round from round 2: over after round 6.
    const asked = (last: number) =>
      Array.from({ length: last - 1 }, (_, i) => candidatesPerRound(i + 2)).reduce((a, b) => a + b, 0);
    expect([asked(5), asked(6)]).toEqual([30, 50]);
    expect(round(r)).toBe(6);
    expect(round(r)).toBeLessThan(CONVERGE_ROUNDS);
    // Ben told no free time: none of Ana's candidates fit him.
    expect(told(sim, ['ben']).slots).toEqual([]);
  });

  it('[CNV8] a participant that leaves out fitting candidates for its budget says more, and they are not taken as a no', async () => {
    const sim = new Simulation(
      [
        person('ana', { start: '09:00', end: '17:00' }),
        person('ben', { start: '09:00', end: '17:00' }, { policy: { ...ONCE, maxSlots: 1 } }),
      ],
      T0,
    );
    const sent: string[] = [];
    const transmit = sim.transmit.bind(sim);
    sim.transmit = (from, to, raw) => {
      sent.push(raw);
      transmit(from, to, raw);
    };
    const r = await run(sim, ['ana', 'ben'], true);
    expect(r.result?.kind).toBe('booked');
    const answer = sent
      .map((raw) => parseMessage(raw, T0))
      .flatMap((p) =>
        p.ok && p.message.type === 'RESPONSE' && p.message.round === 2 ? [p.message] : [],
      )[0]!;
    expect(answer.slots).toHaveLength(1);
    expect(answer.more).toBe(true);
    expect((r.state as OrganizerState).threads[0]!.declinedSlots ?? []).toEqual([]);
  });
});

describe('asking once (ASK)', () => {
  it('[ASK1] by default each participant is asked once: choosing the times to offer also accepts the one picked', async () => {
    const sim = new Simulation(
      [person('ana', { start: '09:00', end: '17:00' }), person('ben', { start: '09:00', end: '17:00' })],
      T0,
    );
    const r = await run(sim, ['ana', 'ben'], true);
    expect(r.result?.kind).toBe('booked');
    expect(sim.agent('ana').approvals).toHaveLength(0);
    expect(sim.agent('ben').approvals).toHaveLength(1);
    const only = sim.agent('ben').approvals[0]!;
    expect(only.action).toMatchObject({ kind: 'disclose', to: 'ana', andAccept: true });
    // The acceptance is still audited, for the slot that was proposed.
    const accepted = sim.agent('ben').audit.filter((e) => e.action === 'accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.slots[0]).toEqual((r.result as { slot: Interval }).slot);
  });

  it('[ASK2] per-contact rules make zero decisions possible: share without asking, accept offered times without asking', async () => {
    const zero: DisclosurePolicy = { ...ONCE, auto: true, autoAccept: true };
    const sim = new Simulation(
      [
        person('ana', { start: '09:00', end: '17:00' }),
        person('ben', { start: '09:00', end: '17:00' }, { policy: zero }),
        person('cy', { start: '09:00', end: '17:00' }, { policy: { ...ONCE, auto: true } }),
      ],
      T0,
    );
    const r = await run(sim, ['ana', 'ben', 'cy'], true);
    expect(r.result?.kind).toBe('booked');
    expect(sim.agent('ben').approvals).toHaveLength(0);
    // Sharing without asking still leaves the acceptance to the person: their one decision.
    expect(sim.agent('cy').approvals).toHaveLength(1);
    expect(sim.agent('cy').approvals[0]!.action.kind).toBe('accept');
  });

  it('[ASK3] the person counters the ask with their own time and a note; the organizer books it and keeps the note', async () => {
    const thursday = { start: T0 + 3 * DAY + 15 * HOUR, end: T0 + 3 * DAY + 15 * HOUR + 30 * MINUTE };
    const note = 'None of these — Thursday afternoon?';
    const sim = new Simulation(
      [
        person('ana', { start: '09:00', end: '17:00' }),
        person('ben', { start: '09:00', end: '17:00' }, { decide: () => ({ counter: [thursday], note }) }),
      ],
      T0,
    );
    const r = await run(sim, ['ana', 'ben'], true);
    expect(r.result).toEqual({ kind: 'booked', slot: thursday });
    expect(sim.agent('ben').approvals).toHaveLength(1);
    const thread = (r.state as OrganizerState).threads[0]!;
    expect(String(thread.note)).toBe(note);
    // A counter outside the asked window or off the grid is refused before it is sent (NEG16).
    expect(sim.agent('ben').rejections).not.toContain('invalid_slot');
  });
});

describe('silent counterparts and outcomes (SIL, OUT)', () => {
  it('[SIL1][SIL2] a silent agent gets one follow-up after followUpMs; the record says whom it waits for and since when; expiry says why', async () => {
    const sim = new Simulation(
      [person('ana', { start: '09:00', end: '17:00' }), person('ben', { start: '09:00', end: '17:00' })],
      T0,
    );
    // Ben's agent is offline: nothing reaches it.
    const transmit = sim.transmit.bind(sim);
    const toBen: string[] = [];
    sim.transmit = (from, to, raw) => (to === 'ben' ? void toBen.push(raw) : transmit(from, to, raw));
    await sim.start({
      organizer: 'ana',
      negotiationId: ID,
      participants: ['ana', 'ben'],
      window: WINDOW,
      durationMin: 30,
      title: 'Review',
      ttlMs: 3 * DAY,
      consent: true,
    });
    const state = () => sim.agent('ana').store.read(ID)!.state as OrganizerState;
    expect(waitingFor(state())).toEqual([{ agent: 'ben', askedAt: T0, silentSince: T0 }]);
    await sim.run({ tickMs: 5 * MINUTE, until: T0 + 23 * HOUR, jump: true });
    expect(waitingFor(state())[0]!.followedUpAt).toBeUndefined();
    await sim.run({ tickMs: 5 * MINUTE, until: T0 + 25 * HOUR, jump: true });
    expect(waitingFor(state())[0]!.followedUpAt).toBe(T0 + DAY);
    await sim.run({ tickMs: 5 * MINUTE, until: T0 + 4 * DAY, jump: true });
    const r = sim.agent('ana').store.read(ID)!;
    expect(r.result).toEqual({ kind: 'expired', waitingFor: ['ben'] });
    expect(toBen.length).toBeGreaterThan(1);
  });

  it('[OUT1] every outcome is one documented kind: declined names who, cancelled names who, booking failure says why', async () => {
    const sim = new Simulation(
      [
        person('ana', { start: '09:00', end: '17:00' }),
        person('ben', { start: '09:00', end: '17:00' }, { decide: () => 'decline' }),
        person('cy', { start: '09:00', end: '17:00' }),
      ],
      T0,
    );
    const r = await run(sim, ['ana', 'ben', 'cy'], true);
    expect(r.result).toEqual({ kind: 'declined', by: ['ben'] });
    expect(
      resultOf({ status: 'failed', reasons: [{ participant: 'ana', reason: 'booking_failed' }] }),
    ).toEqual({ kind: 'failed', reason: 'booking_failed' });
    expect(resultOf({ status: 'cancelled', by: 'cy' })).toEqual({ kind: 'cancelled', by: 'cy' });
    expect(
      resultOf({
        status: 'failed',
        reasons: [
          { participant: 'ben', reason: 'timed_out' },
          { participant: 'cy', reason: 'expired' },
        ],
      }),
    ).toEqual({ kind: 'expired', waitingFor: ['ben'] });
    expect(
      resultOf({
        status: 'failed',
        reasons: [
          { participant: 'ben', reason: 'no_common_slot' },
          { participant: 'cy', reason: 'no_overlap' },
        ],
      }),
    ).toEqual({ kind: 'no_common_time', noOverlap: ['cy'] });
  });
});
