/**
 * In-memory agents on an unreliable network. Each agent runs the product's effect interpreter
 * (interpreter.ts) with in-memory ports: a JSON-backed store, a lossy network, an
 * InMemoryCalendarWriter and a scripted person; so the engine's tests run the shipping code.
 * Messages travel as JSON text through parseMessage, exactly as they would after decryption.
 */
import { type ApprovalRequest } from './approvals';
import { type BookingPlan, InMemoryCalendarWriter, applyBooking } from './booking';
import { type DisclosureLedger, EMPTY_LEDGER } from './disclosure';
import { type InboundGate, EMPTY_GATE } from './inbound-gate';
import {
  type NegotiationRecord,
  type NegotiationStorePort,
  type Refusal,
  NegotiationInterpreter,
} from './interpreter';
import { type Interval, MINUTE, intersect, normalize } from './interval';
import { type NegotiationState, nextWakeAt } from './negotiation';
import { followUpAt } from './organizer-machine';
import type { AuditEntry, NegotiationEvent, Outcome } from './negotiation-types';
import type { DisclosurePolicy } from './preferences';

export interface SimAgentConfig {
  readonly id: string;
  readonly free: readonly Interval[];
  readonly policy: DisclosurePolicy;
  /** How the simulated person answers approval requests. Default: approve. */
  readonly decide?: (
    request: ApprovalRequest,
  ) => 'approve' | 'decline' | { readonly counter: readonly Interval[]; readonly note?: string };
  /** False: the organizer's calendar cannot invite this person (another provider). */
  readonly invitable?: boolean;
  /**
   * Free time and ranked slots as the product computes them (zones, hours, preferences); absent: `free`,
   * ranked earliest first on a 30-minute grid.
   */
  readonly availability?: (request: { window: Interval; durationMin: number; counterpart: string }) => {
    free: readonly Interval[];
    ranked: readonly Interval[];
    /** CNV6: meeting hours in the window; absent: the whole window. */
    hours?: readonly Interval[];
  };
}

export interface NetworkFaults {
  readonly drop: number;
  readonly duplicate: number;
  /** Maximum extra delay; deliveries are shuffled within it (reordering). */
  readonly maxDelayMs: number;
}

export interface SimOptions {
  /**
   * Probability that a write of an existing negotiation record "kills the worker" instead of
   * committing (INT2): the interpreter is dropped and a new one starts on the same store.
   */
  readonly crashRate?: number;
}

interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly raw: string;
  readonly at: number;
  readonly order: number;
}

/** Thrown by the simulated store when the simulated worker dies before a commit. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

/**
 * One agent's persisted state, in memory: records go through JSON on the way in and out, as they
 * would through the vault, so nothing that does not survive a restart can leak across one.
 */
export class InMemoryNegotiationStore implements NegotiationStorePort {
  readonly records = new Map<string, string>();
  readonly auditEntries = new Map<string, AuditEntry>();
  #gate: InboundGate = EMPTY_GATE;
  #ledger = JSON.stringify(EMPTY_LEDGER);
  /** Called before every write; throwing stands for the worker dying before the commit. */
  beforePut: (record: NegotiationRecord, exists: boolean) => void = () => undefined;

  async get(id: string): Promise<NegotiationRecord | undefined> {
    return this.read(id);
  }
  read(id: string): NegotiationRecord | undefined {
    const json = this.records.get(id);
    return json === undefined ? undefined : (JSON.parse(json) as NegotiationRecord);
  }
  async put(record: NegotiationRecord): Promise<void> {
    this.beforePut(record, this.records.has(record.id));
    this.records.set(record.id, JSON.stringify(record));
  }
  async list(): Promise<NegotiationRecord[]> {
    return this.all();
  }
  all(): NegotiationRecord[] {
    return [...this.records.keys()].map((id) => this.read(id)!);
  }
  readonly #views = new Map<string, { json: string; record: NegotiationRecord }>();
  /**
   * A record for callers that only look (the Simulation's clock, the fault campaign's checks), parsed
   * once per write instead of once per look. Shared between them: never modify it.
   */
  view(id: string): NegotiationRecord | undefined {
    const json = this.records.get(id);
    if (json === undefined) return undefined;
    const cached = this.#views.get(id);
    if (cached?.json === json) return cached.record;
    const record = JSON.parse(json) as NegotiationRecord;
    this.#views.set(id, { json, record });
    return record;
  }
  views(): NegotiationRecord[] {
    return [...this.records.keys()].map((id) => this.view(id)!);
  }
  async gate(): Promise<InboundGate> {
    return this.#gate;
  }
  async putGate(gate: InboundGate): Promise<void> {
    this.#gate = gate;
  }
  async ledger(): Promise<DisclosureLedger> {
    return this.readLedger();
  }
  readLedger(): DisclosureLedger {
    return JSON.parse(this.#ledger) as DisclosureLedger;
  }
  async putLedger(ledger: DisclosureLedger): Promise<void> {
    this.#ledger = JSON.stringify(ledger);
  }
  async append(id: string, entry: AuditEntry): Promise<void> {
    if (!this.auditEntries.has(id)) this.auditEntries.set(id, entry);
  }
}

export class SimAgent {
  readonly calendar = new InMemoryCalendarWriter();
  readonly store = new InMemoryNegotiationStore();
  readonly rejections: Refusal[] = [];
  readonly approvals: ApprovalRequest[] = [];
  /** Times the simulated worker died and came back. */
  restarts = 0;
  interpreter!: NegotiationInterpreter;
  /** The scripted person's answers, fed after the operation that asked (never re-entrantly). */
  readonly deferred: (() => Promise<void>)[] = [];
  constructor(readonly config: SimAgentConfig) {}

  get negotiations(): Map<string, NegotiationState> {
    return new Map(this.store.all().map((r) => [r.id, r.state]));
  }
  get outcomes(): Map<string, Outcome> {
    return new Map(this.store.all().flatMap((r) => (r.outcome ? [[r.id, r.outcome] as const] : [])));
  }
  get audit(): AuditEntry[] {
    return [...this.store.auditEntries.values()];
  }
  get gate(): Promise<InboundGate> {
    return this.store.gate();
  }
}

/** A small seeded PRNG so a failing run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Simulation {
  readonly agents = new Map<string, SimAgent>();
  private queue: Envelope[] = [];
  /** Messages handed to the network (before faults), for measurements. */
  sent = 0;
  private order = 0;
  private tickMs = 5 * MINUTE;
  /** When an agent whose worker died is next ticked (run's `jump` mode). */
  private readonly retick = new Map<SimAgent, number>();
  now: number;

  constructor(
    agents: readonly SimAgentConfig[],
    start: number,
    private readonly faults: NetworkFaults = { drop: 0, duplicate: 0, maxDelayMs: 0 },
    private readonly random: () => number = seededRandom(1),
    private readonly options: SimOptions = {},
  ) {
    this.now = start;
    for (const config of agents) {
      const a = new SimAgent(config);
      const crashRate = options.crashRate ?? 0;
      if (crashRate > 0) {
        a.store.beforePut = (_record, exists) => {
          if (exists && this.random() < crashRate) throw new SimulatedCrash('the worker died');
        };
      }
      this.agents.set(config.id, a);
      this.boot(a);
    }
  }

  agent(id: string): SimAgent {
    const a = this.agents.get(id);
    if (!a) throw new Error(`no simulated agent ${id}`);
    return a;
  }

  /** A fresh interpreter on the agent's store: what a restarted service worker does. */
  private boot(a: SimAgent): void {
    a.interpreter = new NegotiationInterpreter({
      self: a.config.id,
      store: a.store,
      audit: a.store,
      network: { send: async (to, raw) => this.transmit(a.config.id, to, raw) },
      calendar: {
        availability: async (request) =>
          a.config.availability?.(request) ?? {
            free: a.config.free,
            ranked: this.ranked(a.config.free, request.window, request.durationMin),
          },
        book: async (plan, role) => {
          await applyBooking(a.calendar, plan, role);
          if (role === 'organizer') this.inviteAttendees(plan);
        },
        cancel: async (event, state) => {
          const ev = await a.calendar.findByICalUID(event.iCalUID);
          if (ev) await a.calendar.cancelEvent(ev.eventId);
          // What Google does when the organizer deletes an event with attendees (Google's side: it
          // cannot fail the way the agent's own calendar calls can). A copy someone imported because no
          // invitation could reach them is theirs: their own agent removes it.
          if (state.role === 'organizer') {
            for (const other of this.agents.values()) {
              if (other !== a && other.config.invitable !== false) other.calendar.withdraw(event.iCalUID);
            }
          }
        },
      },
      approvals: { requested: (negotiationId, request) => this.ask(a, negotiationId, request) },
      policy: { disclosure: async () => a.config.policy },
      clock: () => this.now,
      // The simulation awaits every call before the next: one agent never runs two at once.
      serialize: (task) => task(),
      refused: (code) => a.rejections.push(code),
    });
  }

  /** The scripted person answers after the current operation, as a person clicking later would. */
  private ask(a: SimAgent, negotiationId: string, request: ApprovalRequest): void {
    a.approvals.push(request);
    const decision = a.config.decide?.(request) ?? 'approve';
    a.deferred.push(() =>
      typeof decision === 'object'
        ? a.interpreter.feed(negotiationId, {
            type: 'counter',
            slots: decision.counter,
            ...(decision.note !== undefined ? { note: decision.note } : {}),
          })
        : a.interpreter.decide(negotiationId, request.actionHash, decision === 'approve'),
    );
  }

  /**
   * Runs one operation on an agent, then the answers it queued. A simulated crash drops the
   * interpreter and boots a new one on the same store; the person sees their open requests again.
   */
  private async on(a: SimAgent, task: () => Promise<void>): Promise<void> {
    const run = async (t: () => Promise<void>) => {
      try {
        await t();
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        a.restarts++;
        // A tick that died with its worker is due again on the next one (run's `jump` mode).
        this.retick.set(a, this.now + this.tickMs);
        a.deferred.length = 0;
        this.boot(a);
        for (const r of a.store.all()) {
          const asked = r.pending?.some((x) => x.effect.kind === 'request_approval');
          if (r.state.pendingApproval && !asked) this.ask(a, r.id, r.state.pendingApproval);
        }
      }
    };
    await run(task);
    while (a.deferred.length > 0) await run(a.deferred.shift()!);
  }

  async start(input: {
    organizer: string;
    negotiationId: string;
    participants: readonly string[];
    window: Interval;
    durationMin: number;
    title: string;
    ttlMs: number;
    /** ASK1: the organizer's person consented to the request (no approval to propose and book). */
    consent?: boolean;
  }): Promise<void> {
    const a = this.agent(input.organizer);
    const { organizer: _organizer, ttlMs, ...rest } = input;
    await this.on(a, () => a.interpreter.start({ ...rest, expiresAt: this.now + ttlMs }));
  }

  /** Feeds one event to one agent's negotiation and performs what comes out. */
  async feed(agentId: string, negotiationId: string, event: NegotiationEvent): Promise<void> {
    const a = this.agent(agentId);
    await this.on(a, () =>
      event.type === 'reschedule'
        ? a.interpreter.reschedule(negotiationId, event)
        : a.interpreter.feed(negotiationId, event),
    );
  }

  /**
   * Delivers raw text as if it came out of the encrypted channel from `from` (the channel's
   * authenticated sender; when omitted, whoever the message says sent it).
   */
  async deliverRaw(to: string, raw: unknown, from?: string): Promise<void> {
    const a = this.agent(to);
    await this.on(a, () => a.interpreter.receive(from ?? claimedSender(raw), raw));
  }

  /** Puts a message on the unreliable network (tests replace it to make sends throw). */
  transmit(from: string, to: string, raw: string): void {
    this.sent++;
    const copies = this.random() < this.faults.drop ? 0 : this.random() < this.faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.queue.push({
        from,
        to,
        raw,
        at: this.now + Math.floor(this.random() * (this.faults.maxDelayMs + 1)),
        order: this.order++,
      });
    }
  }

  private ranked(free: readonly Interval[], window: Interval, durationMin: number): Interval[] {
    const out: Interval[] = [];
    const step30 = 30 * MINUTE;
    for (const f of intersect(normalize(free), [window])) {
      for (let s = Math.ceil(f.start / step30) * step30; s + durationMin * MINUTE <= f.end; s += step30) {
        out.push({ start: s, end: s + durationMin * MINUTE });
      }
    }
    return out;
  }

  /** What Google does when the organizer's event lists attendees: their calendars get it. */
  private inviteAttendees(plan: BookingPlan): void {
    for (const id of plan.attendees) {
      const other = this.agents.get(id);
      if (!other || id === plan.organizer || other.config.invitable === false) continue;
      other.calendar.deliver(plan);
    }
  }

  /**
   * Runs until nothing is queued and every negotiation rests, ticking the clock by `tickMs`.
   * `jump`: the clock moves straight to the next delivery or wake-up (`NegotiationInterpreter.wakeAt`)
   * and only agents with something due are ticked, so days of waiting for an expiry cost nothing.
   */
  async run(opts: { tickMs: number; until: number; jump?: boolean }): Promise<void> {
    this.tickMs = opts.tickMs;
    while (this.now <= opts.until) {
      const due = this.queue.filter((x) => x.at <= this.now);
      if (due.length > 0) {
        this.queue = this.queue.filter((x) => x.at > this.now);
        // Shuffle the due envelopes: delivery order is not send order.
        const shuffled = due
          .map((x) => ({ x, k: this.random() }))
          .sort((p, q) => p.k - q.k || p.x.order - q.x.order)
          .map((p) => p.x);
        for (const env of shuffled) await this.deliverRaw(env.to, env.raw, env.from);
        continue;
      }
      if (this.queue.length === 0 && this.resting()) return;
      if (!opts.jump) {
        this.now += opts.tickMs;
        for (const a of this.agents.values()) await this.on(a, () => a.interpreter.tick());
        continue;
      }
      const before = this.now;
      this.now = Math.min(this.nextWake(), opts.until + 1);
      if (this.now > opts.until) return;
      for (const a of this.agents.values()) {
        if (this.wakes(a).some((w) => w === -Infinity || (w > before && w <= this.now))) {
          await this.on(a, () => a.interpreter.tick());
        }
      }
    }
  }

  /**
   * An agent's wake-up times. `wakeAt` is the earliest of a record's times, and a resend whose retries
   * are used up keeps reporting its old time, which would hide the expiry behind it: that is listed too.
   */
  private wakes(a: SimAgent): number[] {
    const retick = this.retick.get(a);
    return [
      ...(retick === undefined ? [] : [retick]),
      ...a.store.views().flatMap((r) => {
        const w = NegotiationInterpreter.wakeAt(r);
        if (w === null) return [];
        // SIL1: a follow-up due after the resends ran out is also hidden behind an old time.
        const followUp = r.state.role === 'organizer' ? followUpAt(r.state) : null;
        return followUp === null ? [w, r.state.expiresAt] : [w, r.state.expiresAt, followUp];
      }),
    ];
  }

  /**
   * The next time something is due: a delivery, a wake-up still ahead, or — for effects a dead worker
   * left pending — the next millisecond. A wake-up already behind the clock was ticked when it came
   * (a resend whose retries are used up keeps reporting its old time) and is not waited for again.
   */
  private nextWake(): number {
    let next = Infinity;
    for (const env of this.queue) next = Math.min(next, env.at);
    for (const a of this.agents.values()) {
      for (const w of this.wakes(a)) {
        if (w === -Infinity) next = Math.min(next, this.now + 1);
        else if (w > this.now) next = Math.min(next, w);
      }
    }
    return next;
  }

  private resting(): boolean {
    for (const a of this.agents.values()) {
      for (const r of a.store.views()) {
        const n = r.state;
        const done =
          n.role === 'organizer'
            ? ['booked', 'failed', 'cancelled'].includes(n.phase)
            : ['booked', 'declined', 'cancelled', 'expired'].includes(n.phase);
        // Done, with nothing left to perform, retry or resend (NEG21's CANCELs).
        if (!done || r.pending?.length || r.retry?.length || nextWakeAt(n) !== null) return false;
      }
    }
    return true;
  }
}

/** The sender a message claims, for raw text injected without a channel sender. */
function claimedSender(raw: unknown): string {
  try {
    const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
    const sender = (value as { sender?: unknown } | null)?.sender;
    return typeof sender === 'string' ? sender : '';
  } catch {
    // Not JSON: no claimed sender; the interpreter refuses the text itself (not_json).
    return '';
  }
}
