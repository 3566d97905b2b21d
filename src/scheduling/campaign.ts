/**
 * The randomized fault campaign (CMP rules, docs/protocol/scheduling.md). One seed is one run: 2–6 agents
 * negotiate through the product's interpreter (the Simulation) over a network that drops, duplicates,
 * reorders and delays; their workers die at commits and come back from the persisted state; their
 * calendars fail for a while or at random; their people approve, decline, counter, reschedule and
 * cancel; and — unless turned off — one of them is a misbehaving peer (campaign-peer.ts). After the run
 * the invariants are checked for every honest agent:
 *
 *   calendar   every calendar holds exactly one event per confirmed meeting, at its slot, and no other
 *   budget     no participant disclosed more slots than its budget without its person's approval
 *   ended      every negotiation ended (booked, failed with a stated reason, declined, cancelled or
 *              expired) with nothing left to perform, by the horizon
 *   exception  no exception escaped
 *   grid       every booked slot starts on its grid: 15 minutes when an honest agent organized, else 5 (NEG16)
 *   peer_text  no peer text an honest agent keeps renders as nothing (issue 15 item 5)
 *
 * Everything random comes from the seed, through separate streams (scenario, network, calendars,
 * people, the misbehaving peer), and the only clock is the Simulation's, so a seed replays exactly.
 */
import type { ApprovalRequest } from './approvals';
import { iCalUIDFor } from './booking';
import { INVISIBLE, MISBEHAVIOURS, type Misbehaviour, MisbehavingPeer, peek } from './campaign-peer';
import { base64url, blake2b, prepareScheduling } from './hash';
import { DAY as DAY_MS, HOUR, type Interval, MINUTE, intersect, normalize } from './interval';
import type { NegotiationRecord } from './interpreter';
import type { DisclosurePolicy } from './preferences';
import { type NetworkFaults, type SimAgentConfig, Simulation, seededRandom } from './simulation';
import { configureLog } from '../log';

export { MISBEHAVIOURS, type Misbehaviour } from './campaign-peer';

export const CAMPAIGN_T0 = Date.UTC(2024, 5, 3, 8); // a Monday, 08:00Z
/** Every negotiation must have ended by then: the honest ones last days, a message's expiry ≤ 120 days. */
export const HORIZON = CAMPAIGN_T0 + 130 * DAY_MS;
const NAMES = ['ada', 'ben', 'cyd', 'dee', 'eli', 'fay'];
const MALLORY = 'mal';
const TICK = 5 * MINUTE;
const GRID = 15 * MINUTE;
/** NEG16: the grid every proposed slot starts on, whoever organizes. */
const ROGUE_GRID = 5 * MINUTE;

export type InvariantName = 'calendar' | 'budget' | 'ended' | 'exception' | 'grid' | 'peer_text';

export interface Violation {
  readonly invariant: InvariantName;
  readonly agent?: string;
  readonly negotiationId?: string;
  readonly detail: string;
}

export interface CampaignOptions {
  /** The misbehaviours the peer may use; empty: every agent is honest. */
  readonly misbehave: readonly Misbehaviour[];
  /** Test hook: called once the world is built, before the first action. */
  readonly sabotage?: (world: World) => void;
}

export interface RunStats {
  readonly agents: number;
  readonly mallory: boolean;
  readonly negotiations: number;
  /** Final outcomes of honest agents' negotiations, by status (`open` when none). */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly deliveries: number;
  readonly refusals: Readonly<Record<string, number>>;
  readonly restarts: number;
  readonly calendarFailures: number;
  readonly injected: number;
}

export interface RunReport {
  readonly seed: number;
  readonly violations: readonly Violation[];
  readonly trace: readonly string[];
  /** Hash of the trace: two runs of one seed have the same one (CMP2). */
  readonly digest: string;
  readonly stats: RunStats;
}

interface PlannedNegotiation {
  readonly id: string;
  readonly organizer: string;
  readonly participants: readonly string[];
  readonly window: Interval;
  readonly durationMin: number;
  readonly title: string;
  readonly ttlMs: number;
}

type Action =
  | { readonly at: number; readonly kind: 'start'; readonly negotiation: PlannedNegotiation }
  | {
      readonly at: number;
      readonly kind: 'reschedule';
      readonly agent: string;
      readonly negotiationId: string;
      readonly window: Interval;
      readonly durationMin: number;
      readonly ttlMs: number;
    }
  | { readonly at: number; readonly kind: 'cancel'; readonly agent: string; readonly negotiationId: string }
  | { readonly at: number; readonly kind: 'misbehave' };

interface CalendarFaults {
  readonly rate: number;
  readonly outages: readonly Interval[];
}

export interface Scenario {
  readonly agents: readonly (SimAgentConfig & { readonly calendarFaults: CalendarFaults })[];
  readonly mallory: string | null;
  readonly kinds: readonly Misbehaviour[];
  readonly network: NetworkFaults;
  readonly crashRate: number;
  readonly actions: readonly Action[];
}

/** A stream of its own per purpose, so turning misbehaviour off leaves the rest of the scenario alone. */
export function stream(seed: number, label: string): () => number {
  let h = 0x811c9dc5;
  for (const c of `${seed}/${label}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return seededRandom(h >>> 0);
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, n: number) => Math.floor(r() * n);
const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

/** The run a seed stands for; the same numbers are drawn whatever the options, so scenarios stay put. */
export function makeScenario(seed: number, misbehave: readonly Misbehaviour[]): Scenario {
  const r = stream(seed, 'scenario');
  const n = 2 + int(r, 5);
  const malRoll = r();
  const kindRolls = MISBEHAVIOURS.map(() => r());
  const mallory = misbehave.length > 0 && malRoll < 0.5 ? MALLORY : null;
  // Each chosen kind is on for this seed with probability 1/2 (at least one).
  let kinds = MISBEHAVIOURS.filter((k, i) => misbehave.includes(k) && kindRolls[i]! < 0.5);
  if (mallory && kinds.length === 0) kinds = [misbehave[int(r, misbehave.length)]!];
  const ids = NAMES.slice(0, n).map((x, i) => (mallory && i === n - 1 ? MALLORY : x));

  const anchor = CAMPAIGN_T0 + HOUR + floorTo(r() * 4 * DAY_MS, 30 * MINUTE);
  const agents = ids.map((id) => {
    const free: Interval[] = [];
    const count = 1 + int(r, 3);
    for (let i = 0; i < count; i++) {
      // Most people share two hours after the anchor, so that many negotiations can book.
      const near = i === 0 && r() < 0.9;
      const step = r() < 0.2 ? MINUTE : 15 * MINUTE;
      const start = near
        ? floorTo(anchor - r() * 2 * HOUR, step)
        : floorTo(CAMPAIGN_T0 + r() * 6 * DAY_MS, step);
      const end = near
        ? anchor + 2 * HOUR + floorTo(r() * 3 * HOUR, step)
        : start + HOUR + floorTo(r() * 5 * HOUR, step);
      free.push({ start, end });
    }
    const policy: DisclosurePolicy = {
      auto: r() < 0.7,
      maxSlots: 1 + int(r, 5),
      granularityMin: pick(r, [15, 30, 60] as const),
    };
    const invitable = r() < 0.8;
    const outages: Interval[] = [];
    const outageCount = int(r, 3);
    for (let i = 0; i < outageCount; i++) {
      const start = CAMPAIGN_T0 + floorTo(r() * 3 * DAY_MS, MINUTE);
      outages.push({ start, end: start + 5 * MINUTE + floorTo(r() * 4 * HOUR, MINUTE) });
    }
    const rate = r() < 0.6 ? 0 : r() * 0.15;
    return { id, free: normalize(free), policy, invitable, calendarFaults: { rate, outages } };
  });

  const network: NetworkFaults = {
    drop: r() < 0.3 ? 0 : r() * 0.3,
    duplicate: r() * 0.3,
    maxDelayMs: int(r, 61) * MINUTE,
  };
  const crashRate = r() < 0.4 ? 0 : r() * 0.2;

  const actions: Action[] = [];
  const negotiations = 1 + int(r, 3);
  for (let k = 0; k < negotiations; k++) {
    const organizer = pick(r, ids);
    const others = ids.filter((x) => x !== organizer);
    const shuffled = others.map((x) => ({ x, k: r() })).sort((a, b) => a.k - b.k);
    const participants = [organizer, ...shuffled.slice(0, 1 + int(r, others.length)).map((p) => p.x)];
    // Mostly a window around the shared hours' day, sometimes anywhere in the first week.
    const around = r() < 0.8;
    const day = around ? floorTo(anchor, DAY_MS) : CAMPAIGN_T0 + int(r, 3) * DAY_MS;
    const window = around
      ? { start: day - int(r, 2) * DAY_MS, end: day + (1 + int(r, 3)) * DAY_MS }
      : { start: day, end: day + (1 + int(r, 5)) * DAY_MS };
    const negotiation: PlannedNegotiation = {
      id: `neg-${String(seed).padStart(6, '0')}-${k}`,
      organizer,
      participants,
      window,
      durationMin: pick(r, [15, 30, 30, 45, 60, 90]),
      title: `Sync ${k}`,
      ttlMs: DAY_MS + floorTo(r() * 2 * DAY_MS, MINUTE),
    };
    const at = CAMPAIGN_T0 + floorTo(r() * 12 * HOUR, MINUTE);
    actions.push({ at, kind: 'start', negotiation });
    if (r() < 0.3) {
      // Half the time into the shared hours again (the meeting moves), else anywhere (it may fail: NEG19).
      const start = r() < 0.5 ? floorTo(anchor, DAY_MS) : CAMPAIGN_T0 + (1 + int(r, 5)) * DAY_MS;
      actions.push({
        at: at + 6 * HOUR + floorTo(r() * 2 * DAY_MS, MINUTE),
        kind: 'reschedule',
        agent: r() < 0.6 ? organizer : pick(r, participants),
        negotiationId: negotiation.id,
        window: { start, end: start + (1 + int(r, 3)) * DAY_MS },
        durationMin: r() < 0.5 ? negotiation.durationMin : pick(r, [15, 30, 60]),
        ttlMs: DAY_MS + floorTo(r() * DAY_MS, MINUTE),
      });
    }
    if (r() < 0.15) {
      actions.push({
        at: at + HOUR + floorTo(r() * 3 * DAY_MS, MINUTE),
        kind: 'cancel',
        agent: pick(r, participants),
        negotiationId: negotiation.id,
      });
    }
  }
  const acts = 2 + int(r, 9);
  for (let i = 0; i < acts; i++) {
    const at = CAMPAIGN_T0 + floorTo(r() * 3.5 * DAY_MS, MINUTE);
    if (mallory) actions.push({ at, kind: 'misbehave' });
  }
  // Stable order: by time, then as planned.
  const ordered = actions.map((a, i) => ({ a, i })).sort((p, q) => p.a.at - q.a.at || p.i - q.i);
  return { agents, mallory, kinds, network, crashRate, actions: ordered.map((x) => x.a) };
}

const key = (...parts: string[]) => parts.join('|');
const slotKey = (s: Interval) => `${s.start}-${s.end}`;
const ORGANIZER_DONE = ['booked', 'failed', 'cancelled'];
const PARTICIPANT_DONE = ['booked', 'declined', 'cancelled', 'expired'];

/** A run in progress: the Simulation, the peer, and what the checks need to know about it. */
export class World {
  readonly sim: Simulation;
  readonly honest: readonly string[];
  readonly peer: MisbehavingPeer | null;
  readonly trace: string[] = [];
  /** Distinct slots each participant sent per (agent, negotiation, recipient), with their shape. */
  readonly disclosed = new Map<string, Map<string, { slot: Interval; offGrid: boolean }>>();
  /** Slots each person approved for disclosure or chose to counter with, per the same key. */
  readonly approved = new Map<string, Set<string>>();
  /** RESCHEDULEs that re-opened a booked negotiation (a new budget), and ones taken while open. */
  readonly reopened = new Map<string, number>();
  readonly openReschedules = new Map<string, number>();
  readonly refusals: Record<string, number> = {};
  deliveries = 0;
  calendarFailures = 0;

  constructor(
    readonly seed: number,
    readonly scenario: Scenario,
  ) {
    const network = stream(seed, 'network');
    this.sim = new Simulation(
      scenario.agents.map((a) => ({ ...a, decide: (req: ApprovalRequest) => this.#decide(a.id, req) })),
      CAMPAIGN_T0,
      scenario.network,
      network,
      { crashRate: scenario.crashRate },
    );
    this.honest = scenario.agents.map((a) => a.id).filter((id) => id !== scenario.mallory);
    const transmit = this.sim.transmit.bind(this.sim);
    const mallory = scenario.mallory;
    this.peer = mallory
      ? new MisbehavingPeer(
          mallory,
          this.honest,
          scenario.kinds,
          stream(seed, 'mallory'),
          () => this.sim.now,
          (to, raw) => transmit(mallory, to, raw),
          (line) => this.note(line),
        )
      : null;
    this.sim.transmit = (from, to, raw) => {
      if (this.peer && from === mallory) {
        for (const out of this.peer.outgoing(to, raw)) transmit(from, to, out);
        return;
      }
      this.#sent(from, to, raw);
      transmit(from, to, raw);
    };
    const deliver = this.sim.deliverRaw.bind(this.sim);
    this.sim.deliverRaw = async (to, raw, from) => {
      await this.#delivered(to, raw, from ?? '', deliver);
      if (this.peer && to === mallory && from) this.peer.incoming(from, raw);
    };
    for (const a of scenario.agents) if (a.id !== mallory) this.#failCalendar(a.id, a.calendarFaults);
  }

  note(line: string): void {
    this.trace.push(`${clock(this.sim.now)} ${line}`);
  }

  /** The scripted person: mostly yes, sometimes no, sometimes other times (recorded for the budget). */
  #decide(agent: string, request: ApprovalRequest): 'approve' | 'decline' | { counter: Interval[] } {
    const r = stream(this.seed, `person/${agent}/${request.actionHash}`);
    const a = request.action;
    const roll = r();
    if (a.kind === 'disclose') {
      if (roll < 0.05) return this.#said(agent, 'declines', a.kind);
      const k = key(agent, a.negotiationId, a.to);
      const set = this.approved.get(k) ?? new Set<string>();
      for (const s of a.slots) set.add(slotKey(s));
      this.approved.set(k, set);
      return this.#said(agent, 'approves', `disclosing ${a.slots.length}`);
    }
    if (a.kind === 'book') return this.#said(agent, roll < 0.05 ? 'declines' : 'approves', 'booking');
    if (roll < 0.05) return this.#said(agent, 'declines', 'the proposal');
    if (roll < 0.15) {
      const counter = this.#counter(agent, a.negotiationId, a.slot, r);
      if (counter.length > 0) {
        const record = this.sim.agent(agent).store.view(a.negotiationId);
        const to = record?.state.role === 'participant' ? record.state.organizer : '';
        const k = key(agent, a.negotiationId, to);
        const set = this.approved.get(k) ?? new Set<string>();
        for (const s of counter) set.add(slotKey(s));
        this.approved.set(k, set);
        this.note(`${agent}'s person counters with ${counter.map((s) => clock(s.start)).join(', ')}`);
        return { counter };
      }
    }
    return this.#said(agent, 'approves', 'the proposal');
  }

  #said<T extends 'approve' | 'decline'>(agent: string, verb: `${T}s`, what: string): T {
    this.note(`${agent}'s person ${verb} ${what}`);
    return verb.slice(0, -1) as T;
  }

  /** Other times the person is free for, inside the asked window, half-hour aligned. */
  #counter(agent: string, negotiationId: string, proposed: Interval, r: () => number): Interval[] {
    const record = this.sim.agent(agent).store.view(negotiationId);
    if (!record || record.state.role !== 'participant') return [];
    const d = proposed.end - proposed.start;
    const free = intersect(normalize(this.sim.agent(agent).config.free), [record.state.ask.window]);
    const options: Interval[] = [];
    for (const f of free) {
      for (let s = Math.ceil(f.start / (30 * MINUTE)) * 30 * MINUTE; s + d <= f.end; s += 30 * MINUTE) {
        if (s !== proposed.start) options.push({ start: s, end: s + d });
      }
    }
    return options.filter(() => r() < 0.5).slice(0, 2);
  }

  /** An honest agent's outgoing message: RESPONSE slots are what it disclosed. */
  #sent(from: string, to: string, raw: string): void {
    const m = peek(raw);
    if (!m || m.type !== 'RESPONSE') return;
    const record = this.sim.agent(from).store.view(m.negotiationId);
    const granularity = record?.state.role === 'participant' ? record.state.policy.granularityMin : 15;
    const duration = record?.state.role === 'participant' ? record.state.ask.durationMin : 0;
    const k = key(from, m.negotiationId, to);
    const seen = this.disclosed.get(k) ?? new Map();
    for (const s of m.slots) {
      const offGrid = s.start % (granularity * MINUTE) !== 0 || s.end - s.start !== duration * MINUTE;
      seen.set(slotKey(s), { slot: { start: s.start, end: s.end }, offGrid });
    }
    this.disclosed.set(k, seen);
  }

  async #delivered(
    to: string,
    raw: unknown,
    from: string,
    deliver: (to: string, raw: unknown, from?: string) => Promise<void>,
  ): Promise<void> {
    const a = this.sim.agent(to);
    const m = peek(raw);
    const before = m ? a.store.view(m.negotiationId)?.state.phase : undefined;
    const refusedBefore = a.rejections.length;
    const restartsBefore = a.restarts;
    this.deliveries++;
    await deliver(to, raw, from);
    const after = m ? a.store.view(m.negotiationId)?.state.phase : undefined;
    const refused = a.rejections.slice(refusedBefore);
    for (const code of refused) this.refusals[code] = (this.refusals[code] ?? 0) + 1;
    if (m?.type === 'RESCHEDULE' && refused.length === 0 && after !== undefined) {
      const k = key(to, m.negotiationId);
      if (before === 'booked') this.reopened.set(k, (this.reopened.get(k) ?? 0) + 1);
      else if (before !== undefined) this.openReschedules.set(k, (this.openReschedules.get(k) ?? 0) + 1);
    }
    const what = m ? `${m.type}#${m.seq} ${short(m.negotiationId)}` : 'text';
    const result = refused.length > 0 ? `refused ${refused.join(',')}` : `${before ?? '-'}→${after ?? '-'}`;
    const crash = a.restarts > restartsBefore ? ' (worker restarted)' : '';
    this.note(`${from}→${to} ${what}: ${result}${crash}`);
  }

  /** The agent's own calendar calls fail during outages and at random (Google's side never does). */
  #failCalendar(agent: string, faults: CalendarFaults): void {
    const cal = this.sim.agent(agent).calendar;
    const r = stream(this.seed, `calendar/${agent}`);
    const methods = ['createEvent', 'importEvent', 'moveEvent', 'cancelEvent', 'findByICalUID'] as const;
    for (const name of methods) {
      const original = cal[name].bind(cal) as (...args: unknown[]) => Promise<unknown>;
      (cal as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
        const now = this.sim.now;
        const down = faults.outages.some((o) => o.start <= now && now < o.end);
        if (down || r() < faults.rate) {
          this.calendarFailures++;
          this.note(`${agent}'s calendar refuses ${name}`);
          throw Object.assign(new Error('calendar unavailable'), { code: 'calendar_unavailable' });
        }
        return original(...args);
      };
    }
  }

  async perform(action: Action): Promise<void> {
    const sim = this.sim;
    switch (action.kind) {
      case 'start': {
        const n = action.negotiation;
        this.note(
          `${n.organizer} starts ${short(n.id)} with ${n.participants.join(',')} (${n.durationMin} min)`,
        );
        return sim.start({
          organizer: n.organizer,
          negotiationId: n.id,
          participants: n.participants,
          window: n.window,
          durationMin: n.durationMin,
          title: n.title,
          ttlMs: n.ttlMs,
        });
      }
      case 'reschedule':
        this.note(`${action.agent}'s person reschedules ${short(action.negotiationId)}`);
        return sim.feed(action.agent, action.negotiationId, {
          type: 'reschedule',
          window: action.window,
          durationMin: action.durationMin,
          expiresAt: sim.now + action.ttlMs,
        });
      case 'cancel':
        this.note(`${action.agent}'s person cancels ${short(action.negotiationId)}`);
        return sim.feed(action.agent, action.negotiationId, { type: 'cancel' });
      case 'misbehave':
        this.peer?.act();
        return;
    }
  }
}

/** Runs one seed and checks the invariants (CMP1). Never throws: an escaped exception is a violation. */
export async function runSeed(seed: number, options: CampaignOptions): Promise<RunReport> {
  await prepareScheduling();
  const scenario = makeScenario(seed, options.misbehave);
  const world = new World(seed, scenario);
  describeScenario(world);
  const violations: Violation[] = [];
  configureLog({
    level: 'warn',
    consoleLevel: 'error',
    write: (line) => world.note(`log ${line.level} ${line.ns} ${line.event}`),
  });
  try {
    options.sabotage?.(world);
    for (const action of scenario.actions) {
      await world.sim.run({ tickMs: TICK, until: action.at - 1, jump: true });
      world.sim.now = Math.max(world.sim.now, action.at);
      await world.perform(action);
    }
    await world.sim.run({ tickMs: TICK, until: HORIZON, jump: true });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const where = e.stack?.split('\n').slice(1, 3).join(' ').trim() ?? '';
    violations.push({ invariant: 'exception', detail: `${e.name}: ${e.message} ${where}` });
    world.note(`exception escaped: ${e.name}`);
  } finally {
    configureLog({ level: 'info', consoleLevel: 'warn', write: null });
  }
  if (violations.length === 0) violations.push(...checkInvariants(world));
  for (const v of violations) world.note(`VIOLATION ${formatViolation(v)}`);
  const digest = base64url(blake2b('campaign-trace', world.trace.join('\n'), 16));
  return { seed, violations, trace: world.trace, digest, stats: stats(world) };
}

function describeScenario(world: World): void {
  const s = world.scenario;
  world.note(
    `seed ${world.seed}: ${s.agents.length} agents, network drop ${s.network.drop.toFixed(2)} duplicate ` +
      `${s.network.duplicate.toFixed(2)} delay ≤ ${s.network.maxDelayMs / MINUTE} min, crash rate ${s.crashRate.toFixed(2)}`,
  );
  for (const a of s.agents) {
    const free = a.free.map((f) => `${clock(f.start)}–${clock(f.end)}`).join(' ');
    const p = a.policy;
    world.note(
      `${a.id}${a.id === s.mallory ? ` (misbehaving: ${s.kinds.join(',')})` : ''}: free ${free}; ` +
        `policy ${p.auto ? 'auto' : 'ask'} ${p.maxSlots} slots/${p.granularityMin} min; ` +
        `${a.invitable ? 'invitable' : 'imports'}; calendar fails ${a.calendarFaults.rate.toFixed(2)}, ` +
        `${a.calendarFaults.outages.length} outage(s)`,
    );
  }
}

/** The invariants of CMP1 over a finished run; exported so tests can plant a violation and see it found. */
export function checkInvariants(world: World): Violation[] {
  const out: Violation[] = [];
  const sim = world.sim;
  /** iCalUID → slot, per honest agent: the meetings its calendar must hold. */
  const expected = new Map<string, Map<string, { slot: Interval; why: string }>>();
  const expect = (agent: string, uid: string, slot: Interval, why: string) => {
    const m = expected.get(agent) ?? new Map<string, { slot: Interval; why: string }>();
    const there = m.get(uid);
    if (there && slotKey(there.slot) !== slotKey(slot)) {
      out.push({
        invariant: 'calendar',
        agent,
        detail: `${there.why} at ${clock(there.slot.start)} but ${why} at ${clock(slot.start)}`,
      });
    }
    m.set(uid, { slot, why });
    expected.set(agent, m);
  };

  for (const id of world.honest) {
    const agent = sim.agent(id);
    for (const r of agent.store.views()) {
      out.push(...ended(id, r));
      const o = r.outcome;
      // Still open with a booking (a reschedule under way, reported by `ended`): the old meeting stands.
      const done = (r.state.role === 'organizer' ? ORGANIZER_DONE : PARTICIPANT_DONE).includes(r.state.phase);
      if (!done && r.state.booking) {
        expect(
          id,
          iCalUIDFor(r.id),
          r.state.booking.slot,
          `${id}'s ${short(r.id)}, still being rescheduled,`,
        );
      }
      if (o?.status === 'booked' && r.state.phase === 'booked') {
        expect(id, iCalUIDFor(r.id), o.slot, `${id} booked ${short(r.id)}`);
        // Honest organizers ask on the 15-minute grid; a rogue one's proposal is held to NEG16 (every slot on
        // the wire starts on the 5-minute grid) and to the duration its QUERY asked, which the person approved.
        const grid = r.id.startsWith('rogue-') ? ROGUE_GRID : GRID;
        // The start only: a 5-minute meeting is legal and ends off a 15-minute grid.
        if (o.slot.start % grid !== 0) {
          out.push({
            invariant: 'grid',
            agent: id,
            negotiationId: r.id,
            detail: `booked ${clock(o.slot.start)}–${clock(o.slot.end)}, starting off the ${grid / MINUTE}-minute grid`,
          });
        }
        // A confirmed meeting organized by an honest agent belongs in every honest attendee's calendar.
        if (r.state.role === 'organizer' && r.state.booking) {
          for (const att of r.state.booking.attendees) {
            if (att !== id && world.honest.includes(att)) {
              expect(att, iCalUIDFor(r.id), o.slot, `${id} booked ${short(r.id)} with ${att}`);
            }
          }
        }
      }
      if (r.state.role === 'participant' && r.state.ask.title && INVISIBLE.test(r.state.ask.title)) {
        out.push({
          invariant: 'peer_text',
          agent: id,
          negotiationId: r.id,
          detail: `keeps a title from ${r.state.organizer} with characters that render as nothing: ${JSON.stringify(r.state.ask.title)}`,
        });
      }
    }
    // Google puts any organizer's invitations into an invitable calendar and takes them out again: for
    // meetings the misbehaving peer organizes, what an invitable calendar holds is that peer's doing.
    const byPeer = new Set(
      world.peer && agent.config.invitable !== false
        ? sim
            .agent(world.peer.self)
            .store.views()
            .filter((r) => r.state.role === 'organizer')
            .map((r) => iCalUIDFor(r.id))
        : [],
    );
    const events = agent.calendar.list().filter((e) => e.status === 'confirmed' && !byPeer.has(e.iCalUID));
    const mine = new Map([...(expected.get(id) ?? [])].filter(([uid]) => !byPeer.has(uid)));
    for (const [uid, want] of mine) {
      const got = events.filter((e) => e.iCalUID === uid);
      const negotiation = `${want.why}`;
      if (got.length !== 1) {
        out.push({
          invariant: 'calendar',
          agent: id,
          detail: `${negotiation}: ${id}'s calendar holds ${got.length} events for it, not 1${problems(agent.store.views())}`,
        });
      } else if (slotKey(got[0]!.slot) !== slotKey(want.slot)) {
        out.push({
          invariant: 'calendar',
          agent: id,
          detail: `${negotiation} at ${clock(want.slot.start)}, ${id}'s calendar has it at ${clock(got[0]!.slot.start)}`,
        });
      }
    }
    for (const e of events) {
      if (mine.has(e.iCalUID)) continue;
      const r = agent.store.views().find((x) => iCalUIDFor(x.id) === e.iCalUID);
      out.push({
        invariant: 'calendar',
        agent: id,
        ...(r ? { negotiationId: r.id } : {}),
        detail: `${id}'s calendar holds an event at ${clock(e.slot.start)} for no confirmed meeting (${
          r
            ? `${short(r.id)} is ${r.state.phase}, outcome ${r.outcome?.status ?? 'none'}`
            : 'unknown negotiation'
        })`,
      });
    }
  }
  for (const [k, slots] of world.disclosed) {
    const [agent, negotiationId, to] = k.split('|') as [string, string, string];
    const ok = world.approved.get(k) ?? new Set<string>();
    const unapproved = [...slots.keys()].filter((s) => !ok.has(s));
    const record = sim.agent(agent).store.view(negotiationId);
    const policy = record?.state.role === 'participant' ? record.state.policy : null;
    if (!policy) continue;
    const reopened = world.reopened.get(key(agent, negotiationId)) ?? 0;
    const budget = policy.maxSlots * (1 + reopened);
    if (unapproved.length > budget) {
      const open = world.openReschedules.get(key(agent, negotiationId)) ?? 0;
      out.push({
        invariant: 'budget',
        agent,
        negotiationId,
        detail:
          `${agent} told ${to} ${unapproved.length} slots without its person's approval, budget ` +
          `${policy.maxSlots} × (1 + ${reopened} reschedule(s) of a booked meeting); ` +
          `RESCHEDULEs taken while open: ${open}`,
      });
    }
    const bad = [...slots.values()].filter((s) => s.offGrid);
    if (bad.length > 0) {
      out.push({
        invariant: 'budget',
        agent,
        negotiationId,
        detail: `${agent} told ${to} ${bad.length} slot(s) off its ${policy.granularityMin}-minute grid or of another duration`,
      });
    }
  }
  return out;
}

function ended(agent: string, r: NegotiationRecord): Violation[] {
  const s = r.state;
  const done = s.role === 'organizer' ? ORGANIZER_DONE : PARTICIPANT_DONE;
  const problems: string[] = [];
  if (!done.includes(s.phase)) {
    problems.push(`still ${s.phase} at the horizon (expires ${clock(s.expiresAt)})`);
  } else {
    const o = r.outcome;
    const want =
      s.phase === 'booked'
        ? o?.status === 'booked'
        : s.phase === 'cancelled'
          ? o?.status === 'cancelled' && o.by.length > 0
          : o?.status === 'failed' && o.reasons.length > 0;
    if (!want) problems.push(`${s.phase} with outcome ${JSON.stringify(o ?? null)}`);
  }
  if (r.pending?.length) problems.push(`${r.pending.length} effect(s) still pending`);
  if (r.retry?.length) problems.push(`${r.retry.length} effect(s) still to retry`);
  return problems.map((detail) => ({ invariant: 'ended', agent, negotiationId: r.id, detail }));
}

function problems(records: readonly NegotiationRecord[]): string {
  const given = records.flatMap((r) => r.problems ?? []);
  return given.length > 0 ? ` (effects given up: ${given.join(',')})` : '';
}

function stats(world: World): RunStats {
  const outcomes: Record<string, number> = {};
  for (const id of world.honest) {
    for (const r of world.sim.agent(id).store.views()) {
      const k = r.outcome?.status ?? 'open';
      outcomes[k] = (outcomes[k] ?? 0) + 1;
    }
  }
  let restarts = 0;
  for (const a of world.sim.agents.values()) restarts += a.restarts;
  return {
    agents: world.scenario.agents.length,
    mallory: world.peer !== null,
    negotiations: world.scenario.actions.filter((a) => a.kind === 'start').length,
    outcomes,
    deliveries: world.deliveries,
    refusals: world.refusals,
    restarts,
    calendarFailures: world.calendarFailures,
    injected: world.peer?.injected ?? 0,
  };
}

export function formatViolation(v: Violation): string {
  const where = [v.agent, v.negotiationId && short(v.negotiationId)].filter(Boolean).join(' ');
  return `[${v.invariant}]${where ? ` ${where}:` : ''} ${v.detail}`;
}

/** Simulated time as an offset from the campaign's start: `+1d02:15:00.000`. */
export function clock(t: number): string {
  const d = t - CAMPAIGN_T0;
  const sign = d < 0 ? '-' : '+';
  const a = Math.abs(d);
  const days = Math.floor(a / DAY_MS);
  const rest = new Date(a % DAY_MS).toISOString().slice(11, 23);
  return `${sign}${days}d${rest}`;
}

const short = (id: string) => id.replace(/^neg-0*/, 'n');
