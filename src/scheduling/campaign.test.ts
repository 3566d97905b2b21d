import { beforeAll, describe, expect, it } from 'vitest';
import { planBooking } from './booking';
import { CAMPAIGN_T0, MISBEHAVIOURS, World, checkInvariants, makeScenario, runSeed } from './campaign';
import { peek } from './campaign-peer';
import { prepareScheduling } from './hash';
import { MINUTE } from './interval';
import { compose } from './negotiation-common';

beforeAll(prepareScheduling);

/** A world built from a seed's scenario, driven by hand up to `until`. */
async function partial(seed: number, until: number) {
  const world = new World(seed, makeScenario(seed, []));
  for (const action of world.scenario.actions.filter((a) => a.at <= until)) {
    await world.sim.run({ tickMs: 5 * MINUTE, until: action.at - 1, jump: true });
    world.sim.now = Math.max(world.sim.now, action.at);
    await world.perform(action);
  }
  await world.sim.run({ tickMs: 5 * MINUTE, until, jump: true });
  return world;
}

describe('the fault campaign', () => {
  it('[CMP1] honest seeds over a lossy network with restarts and failing calendars end clean, and do reach every outcome', async () => {
    const outcomes = new Set<string>();
    let restarts = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const report = await runSeed(seed, { misbehave: [] });
      expect(report.violations, `seed ${seed}`).toEqual([]);
      for (const k of Object.keys(report.stats.outcomes)) outcomes.add(k);
      restarts += report.stats.restarts;
    }
    expect([...outcomes].sort()).toEqual(['booked', 'cancelled', 'failed']);
    expect(restarts).toBeGreaterThan(0);
  });

  it('[CMP1] each invariant finds a planted fault: an open negotiation, an event nobody booked, a disclosure over budget, an escaped exception', async () => {
    // Stopped an hour after the first negotiation started: nothing has ended yet.
    const seed = 3;
    const first = makeScenario(seed, []).actions[0]!;
    const open = await partial(seed, first.at + 1);
    const found = checkInvariants(open);
    expect(found.some((v) => v.invariant === 'ended' && v.detail.startsWith('still '))).toBe(true);

    const clean = await partial(seed, CAMPAIGN_T0 + 10 * 86_400_000);
    expect(checkInvariants(clean)).toEqual([]);
    const agent = clean.honest[0]!;
    const slot = { start: CAMPAIGN_T0, end: CAMPAIGN_T0 + 30 * MINUTE };
    clean.sim
      .agent(agent)
      .calendar.deliver(
        planBooking({ negotiationId: 'neg-planted', slot, organizer: 'x', attendees: [agent], title: '' }),
      );
    expect(checkInvariants(clean).map((v) => v.invariant)).toEqual(['calendar']);

    // The first participant's RESPONSE, then a second one from it with ten more slots.
    const told = await runSeed(seed, {
      misbehave: [],
      sabotage: (world) => {
        const deliver = world.sim.deliverRaw.bind(world.sim);
        let done = false;
        world.sim.deliverRaw = async (to, raw, from) => {
          await deliver(to, raw, from);
          const m = peek(raw);
          if (done || m?.type !== 'QUERY' || !from) return;
          done = true;
          const slots = Array.from({ length: 10 }, (_, i) => ({
            start: m.window.start + i * 60 * MINUTE,
            end: m.window.start + i * 60 * MINUTE + m.durationMin * MINUTE,
          }));
          const extra = compose(
            { negotiationId: m.negotiationId, self: to, seq: 99, expiresAt: m.expiresAt },
            { type: 'RESPONSE', inReplyTo: m.messageId, round: 1, granularityMin: 15, slots },
            world.sim.now,
          );
          world.sim.transmit(to, from, JSON.stringify(extra));
        };
      },
    });
    expect(told.violations.some((v) => v.invariant === 'budget' && /told \w+ 1\d slots/.test(v.detail))).toBe(
      true,
    );

    const crashed = await runSeed(seed, {
      misbehave: [],
      sabotage: (world) => {
        const first = world.scenario.actions.find((a) => a.kind === 'start')!;
        const organizer = first.kind === 'start' ? first.negotiation.organizer : '';
        world.sim.agent(organizer).store.beforePut = () => {
          throw new TypeError('disk on fire');
        };
      },
    });
    expect(crashed.violations).toEqual([
      expect.objectContaining({
        invariant: 'exception',
        detail: expect.stringContaining('TypeError: disk on fire'),
      }),
    ]);
  });

  it('[CMP2] a seed replays exactly, and turning misbehaviour off leaves the rest of its scenario alone', async () => {
    const a = await runSeed(41, { misbehave: MISBEHAVIOURS });
    const b = await runSeed(41, { misbehave: MISBEHAVIOURS });
    expect(b.trace).toEqual(a.trace);
    expect(b.digest).toBe(a.digest);
    expect((await runSeed(42, { misbehave: MISBEHAVIOURS })).digest).not.toBe(a.digest);
    for (let seed = 1; seed <= 20; seed++) {
      const on = makeScenario(seed, MISBEHAVIOURS);
      const off = makeScenario(seed, []);
      const rename = (id: string) => (id === on.mallory ? off.agents.at(-1)!.id : id);
      expect(on.agents.map((x) => rename(x.id))).toEqual(off.agents.map((x) => x.id));
      expect(on.network).toEqual(off.network);
      expect(on.actions.filter((x) => x.kind !== 'misbehave').length).toBe(
        off.actions.filter((x) => x.kind !== 'misbehave').length,
      );
    }
  });

  it('[CMP3] a misbehaving peer uses every kind of misbehaviour across seeds; no exception escapes and honest calendars stay right', async () => {
    const kinds = new Set<string>();
    let injected = 0;
    for (let seed = 1; seed <= 16; seed++) {
      const report = await runSeed(seed, { misbehave: MISBEHAVIOURS });
      injected += report.stats.injected;
      for (const k of makeScenario(seed, MISBEHAVIOURS).kinds) kinds.add(k);
      // budget, ended, grid and peer_text fail here until issue 15 items 1, 2, 4 and 5 are fixed.
      const fatal = report.violations.filter(
        (v) => v.invariant === 'exception' || v.invariant === 'calendar',
      );
      expect(fatal, `seed ${seed}`).toEqual([]);
    }
    expect([...kinds].sort()).toEqual([...MISBEHAVIOURS].sort());
    expect(injected).toBeGreaterThan(100);
  });
});
