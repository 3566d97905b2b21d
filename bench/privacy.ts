/**
 * Privacy benchmark (issue 16, in the style of CalBench): seeded populations of 2–6 people, time zones up
 * to 12 hours apart, asymmetric working hours, calendars 0–80 % busy, default rules (3 coarse slots per
 * round, the person asked once). Each population negotiates one meeting through the product's interpreter
 * (`NegotiationInterpreter`, run by the `Simulation`'s in-memory ports), availability and ranking computed by
 * the product's own `computeAvailability` and `findSlots`. Baselines in the same run, on the same
 * populations: an oracle that shares everything (a booking link, a shared free/busy: it succeeds exactly when
 * a common slot exists, and picks the best-scored one) and today's fixed top-3 (each participant's three best
 * slots, once, intersected with the organizer's free time).
 *
 * Measures, per population: success; disclosure = free time each person told anyone, beyond the meeting
 * itself, as a share of their free time inside the window (organizer's candidates included); rounds; messages
 * handed to the network; decisions asked of each person (the organizer's request counts as its one);
 * slot regret = (best score − chosen score) / best score, where both exist.
 *
 * Meeting hours are told too (CNV6: the organizer's, coarse, and each participant's inside them). They are
 * not free times (busy times are not in them), so `disclosed_*` does not count them; they are measured on
 * their own, as the share of each person's meeting hours in the window told to anyone (`hours told`).
 *
 * Generator check against issue 16's spec (2–6 participants, zones up to 12 h apart, asymmetric working hours,
 * calendars 0–80 % busy counted over working hours, default rules): it matches. One fix: working days started
 * at 03:00–09:00 local (`(6 + k) * 30` minutes) although this file and the spec meant 06:00–12:00; they now do
 * (`(12 + k) * 30`). Every person moves by the same 3 hours, so who overlaps whom is unchanged (the oracle's
 * success stayed 0.311 on seed 16); only the hours now read like working hours.
 *
 * Run: npm run bench:privacy [-- --populations N --seed S]. Last line: one JSON object.
 */
import {
  type Availability,
  type CachedEvent,
  type Interval,
  Simulation,
  computeAvailability,
  findSlots,
  normalize,
  parsePreferences,
  prepareScheduling,
  scoreValue,
  seededRandom,
  type SimAgentConfig,
  type OrganizerState,
} from '../src/scheduling/index';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) ? v : fallback;
}
const POPULATIONS = arg('populations', 1_000);
const SEED = arg('seed', 16);

// Monday 7 December 2026, 00:00 UTC: a week-long window, as the product's default (7 days).
const WINDOW: Interval = { start: Date.UTC(2026, 11, 7), end: Date.UTC(2026, 11, 14) };
const NOW = WINDOW.start;

interface Person {
  readonly id: string;
  readonly availability: Availability;
}

function zoneName(offsetH: number): string {
  if (offsetH === 0) return 'Etc/GMT';
  return offsetH > 0 ? `Etc/GMT-${offsetH}` : `Etc/GMT+${-offsetH}`;
}

const hhmm = (min: number) =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

function population(rand: () => number, index: number) {
  const n = 2 + Math.floor(rand() * 5);
  const spread = Math.floor(rand() * 13);
  const base = -8 + Math.floor(rand() * (13 - spread));
  const durationMin = rand() < 0.5 ? 30 : 60;
  const people: Person[] = [];
  for (let p = 0; p < n; p++) {
    const offset = base + Math.floor(rand() * (spread + 1));
    const startMin = (12 + Math.floor(rand() * 13)) * 30; // 06:00–12:00
    const lengthMin = (6 + Math.floor(rand() * 15)) * 30; // 3–10 hours
    const endMin = Math.min(startMin + lengthMin, 22 * 60);
    const day = [{ start: hhmm(startMin), end: hhmm(endMin) }];
    const preferred =
      rand() < 0.5
        ? [
            {
              days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
              range:
                rand() < 0.5
                  ? { start: hhmm(startMin), end: hhmm(Math.min(endMin, startMin + 180)) }
                  : { start: hhmm(Math.max(startMin, endMin - 180)), end: hhmm(endMin) },
              weight: 2,
            },
          ]
        : [];
    const prefs = parsePreferences({
      timeZone: zoneName(offset),
      workingHours: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] },
      preferredTimes: preferred.map((x) => ({ ...x, days: [...x.days] })),
    });
    const busy = rand() * 0.8;
    const events: CachedEvent[] = [];
    // Busy half-hours inside the person's working days (their local days: the zone offset is whole hours).
    for (let d = -1; d < 8; d++) {
      const dayStart = WINDOW.start + d * DAY - offset * HOUR;
      for (let m = startMin; m + 30 <= endMin; m += 30) {
        if (rand() < busy) {
          const start = dayStart + m * MIN;
          events.push({
            id: `e${events.length}`,
            calendarId: 'primary',
            kind: 'timed',
            status: 'busy',
            start,
            end: start + 30 * MIN,
          });
        }
      }
    }
    const availability = computeAvailability({
      participantId: `p${p}`,
      preferences: prefs,
      snapshot: {
        events,
        calendars: [{ calendarId: 'primary', known: [{ start: WINDOW.start - DAY, end: WINDOW.end + DAY }] }],
      },
      window: WINDOW,
      now: NOW,
    });
    people.push({ id: `pop${index}-p${p}`, availability });
  }
  return { people, durationMin };
}

const minutes = (list: readonly Interval[]) => list.reduce((a, x) => a + (x.end - x.start), 0) / MIN;

function clipTo(list: readonly Interval[], w: Interval): Interval[] {
  return list.flatMap((x) => {
    const start = Math.max(x.start, w.start);
    const end = Math.min(x.end, w.end);
    return end > start ? [{ start, end }] : [];
  });
}

/** Free time of `free` that `told` covers, outside the meeting slot, in minutes. */
function disclosedMinutes(
  free: readonly Interval[],
  told: readonly Interval[],
  meeting: Interval | null,
): number {
  const union = normalize(told);
  const clipped = union.flatMap((x) => clipTo(free, x));
  const meetingPart = meeting ? minutes(clipTo(clipped, meeting)) : 0;
  return minutes(clipped) - meetingPart;
}

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  );
const p90 = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    90,
  );
const round = (x: number, d = 4) => Number(x.toFixed(d));

async function main(): Promise<void> {
  await prepareScheduling();
  const rand = seededRandom(SEED);
  let ok = 0;
  let oracleOk = 0;
  let top3Ok = 0;
  const disclosed: number[] = [];
  const disclosedInvitees: number[] = [];
  const infeasibleDisclosed: number[] = [];
  const hoursTold: number[] = [];
  const distinct: number[] = [];
  const rounds: number[] = [];
  const messages: number[] = [];
  const regret: number[] = [];
  const feasible = { disclosed: [] as number[], rounds: [] as number[], messages: [] as number[] };
  const perMeeting = { rounds: [] as number[], messages: [] as number[] };
  let decisions = 0;
  let decisionMax = 0;
  let persons = 0;
  let missed = 0;
  const results: Record<string, number> = {};
  const started = performance.now();
  for (let i = 0; i < POPULATIONS; i++) {
    const { people, durationMin } = population(rand, i);
    const avs = people.map((p) => p.availability);
    const best = findSlots(avs, { durationMin, granularityMin: 30, limit: 1 })[0];
    if (best) oracleOk++;
    // Today's fixed top-3: each participant's three best, once; the organizer takes a common one.
    const tops = avs.slice(1).map((a) => findSlots([a], { durationMin, granularityMin: 30, limit: 3 }));
    const organizerFree = avs[0]!.free;
    const top3 = (tops[0] ?? []).some(
      (s) =>
        tops.every((t) => t.some((x) => x.start === s.start)) &&
        organizerFree.some((f) => f.start <= s.start && s.end <= f.end),
    );
    if (top3) top3Ok++;

    const configs: SimAgentConfig[] = people.map((p) => ({
      id: p.id,
      free: p.availability.free,
      policy: { auto: false, maxSlots: 3, granularityMin: 30, decision: 'once' },
      availability: () => ({
        free: p.availability.free,
        ranked: findSlots([p.availability], { durationMin, granularityMin: 30, limit: 100 }),
        hours: p.availability.hours,
      }),
    }));
    const sim = new Simulation(configs, NOW);
    // Distinct messages (resends and NEG21's CANCEL resends carry the same id): what the protocol said.
    const ids = new Set<string>();
    const transmit = sim.transmit.bind(sim);
    sim.transmit = (from, to, raw) => {
      ids.add(`${to}/${(JSON.parse(raw) as { messageId: string }).messageId}`);
      transmit(from, to, raw);
    };
    const negotiationId = `bench-privacy-${i}`;
    await sim.start({
      organizer: people[0]!.id,
      negotiationId,
      participants: people.map((p) => p.id),
      window: WINDOW,
      durationMin,
      title: 'Bench',
      ttlMs: 7 * DAY,
      consent: true,
    });
    await sim.run({ tickMs: 5 * MIN, until: NOW + 8 * DAY, jump: true });
    const organizer = sim.agent(people[0]!.id);
    const record = organizer.store.read(negotiationId)!;
    const state = record.state as OrganizerState;
    const result = record.result?.kind ?? 'open';
    results[result] = (results[result] ?? 0) + 1;
    const booked = record.outcome?.status === 'booked' ? record.outcome.slot : null;
    if (booked) ok++;
    else if (best) missed++;
    if (booked && best) {
      const top = scoreValue(avs, best.start, best.end);
      const chosen = scoreValue(avs, booked.start, booked.end);
      regret.push(top > 0 ? (top - chosen) / top : 0);
    }
    rounds.push(state.round);
    messages.push(sim.sent);
    distinct.push(ids.size);
    const shares: number[] = [];
    const hourShares: number[] = [];
    people.forEach((p, k) => {
      const agent = sim.agent(p.id);
      const told = agent.audit.filter((e) => e.action === 'disclosed').flatMap((e) => e.slots);
      const toldHours = normalize(agent.audit.flatMap((e) => e.hours ?? []));
      const ownHours = clipTo(normalize(p.availability.hours), WINDOW);
      const hoursTotal = minutes(ownHours);
      hourShares.push(
        hoursTotal > 0 ? minutes(toldHours.flatMap((x) => clipTo(ownHours, x))) / hoursTotal : 0,
      );
      const free = clipTo(p.availability.free, WINDOW);
      const total = minutes(free);
      const share = total > 0 ? disclosedMinutes(free, told, booked) / total : 0;
      shares.push(share);
      if (k > 0) disclosedInvitees.push(share);
      const asked = agent.approvals.length + (k === 0 ? 1 : 0);
      decisions += asked;
      decisionMax = Math.max(decisionMax, asked);
      persons++;
    });
    const share = shares.reduce((a, b) => a + b, 0) / shares.length;
    disclosed.push(share);
    hoursTold.push(hourShares.reduce((a, b) => a + b, 0) / hourShares.length);
    if (!best) infeasibleDisclosed.push(share);
    if (best) {
      feasible.disclosed.push(share);
      feasible.rounds.push(state.round);
      feasible.messages.push(sim.sent);
    }
    if (booked) {
      perMeeting.rounds.push(state.round);
      perMeeting.messages.push(sim.sent);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const success = ok / POPULATIONS;
  const oracle = oracleOk / POPULATIONS;
  console.log(
    `populations=${POPULATIONS} seed=${SEED} in ${seconds.toFixed(1)} s; results ${JSON.stringify(results)}; ` +
      `missed where a common slot existed: ${missed}`,
  );
  console.log(
    `baselines: oracle success ${oracle.toFixed(3)} (discloses all free time), fixed top-3 success ` +
      `${(top3Ok / POPULATIONS).toFixed(3)}; invitees' disclosed median ${round(median(disclosedInvitees))}, ` +
      `p90 ${round(p90(disclosedInvitees))}; most decisions asked of one person ${decisionMax}`,
  );
  console.log(
    `where a common slot existed (${feasible.rounds.length}): disclosed median ${round(median(feasible.disclosed))} ` +
      `p90 ${round(p90(feasible.disclosed))}, rounds median ${median(feasible.rounds)}, messages median ` +
      `${median(feasible.messages)}; per booked meeting: rounds median ${median(perMeeting.rounds)}, messages ` +
      `median ${median(perMeeting.messages)}; all populations: rounds median ${median(rounds)}, messages median ${median(messages)}`,
  );
  console.log(
    `where none existed (${infeasibleDisclosed.length}): disclosed median ${round(median(infeasibleDisclosed))} ` +
      `p90 ${round(p90(infeasibleDisclosed))}; hours told (share of a person's meeting hours, not free time, ` +
      `CNV6): median ${round(median(hoursTold))} p90 ${round(p90(hoursTold))}; messages include the CANCELs ` +
      `resent after an end (NEG21); distinct messages median ${median(distinct)}`,
  );
  const targets = {
    success: success >= 0.99 * oracle,
    disclosed: median(disclosed) <= 0.05,
    rounds: median(rounds) <= 2,
    decisions: decisions / persons <= 1,
  };
  console.log(`targets: ${JSON.stringify(targets)}`);
  console.log(
    JSON.stringify({
      suite: 'privacy',
      success: round(success),
      oracle_success: round(oracle),
      disclosed_median: round(median(disclosed)),
      disclosed_p90: round(p90(disclosed)),
      rounds_median: median(rounds),
      messages_median: median(messages),
      decisions_per_person: round(decisions / persons),
      slot_regret_median: round(median(regret)),
      top3_success: round(top3Ok / POPULATIONS),
      populations: POPULATIONS,
    }),
  );
}

await main();
