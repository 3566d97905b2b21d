/**
 * In-memory agents on an unreliable network: a deterministic stand-in for the runtime (effects
 * performed, results fed back) used by the tests and usable by e2e-less demos. Messages travel as
 * JSON text through parseMessage, exactly as they would after decryption.
 */
import { type ApprovalRequest } from './approvals';
import { type BookingPlan, InMemoryCalendarWriter, applyBooking } from './booking';
import { type InboundGate, EMPTY_GATE, admitNewNegotiation } from './inbound-gate';
import { type Interval, MINUTE, intersect, normalize } from './interval';
import { parseMessage } from './messages';
import { type NegotiationState, step } from './negotiation';
import type { AuditEntry, Effect, NegotiationEvent, Outcome, RejectCode } from './negotiation-types';
import { startNegotiation } from './organizer-machine';
import { joinNegotiation } from './participant-machine';
import type { DisclosurePolicy } from './preferences';

export interface SimAgentConfig {
  readonly id: string;
  readonly free: readonly Interval[];
  readonly policy: DisclosurePolicy;
  /** How the simulated person answers approval requests. Default: approve. */
  readonly decide?: (
    request: ApprovalRequest,
  ) => 'approve' | 'decline' | { readonly counter: readonly Interval[] };
  /** False: the organizer's calendar cannot invite this person (another provider). */
  readonly invitable?: boolean;
}

export interface NetworkFaults {
  readonly drop: number;
  readonly duplicate: number;
  /** Maximum extra delay; deliveries are shuffled within it (reordering). */
  readonly maxDelayMs: number;
}

interface Envelope {
  readonly to: string;
  readonly raw: string;
  readonly at: number;
  readonly order: number;
}

export class SimAgent {
  readonly calendar = new InMemoryCalendarWriter();
  readonly negotiations = new Map<string, NegotiationState>();
  readonly outcomes = new Map<string, Outcome>();
  readonly audit: AuditEntry[] = [];
  readonly rejections: RejectCode[] = [];
  readonly approvals: ApprovalRequest[] = [];
  gate: InboundGate = EMPTY_GATE;
  constructor(readonly config: SimAgentConfig) {}
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
  private order = 0;
  now: number;

  constructor(
    agents: readonly SimAgentConfig[],
    start: number,
    private readonly faults: NetworkFaults = { drop: 0, duplicate: 0, maxDelayMs: 0 },
    private readonly random: () => number = seededRandom(1),
  ) {
    this.now = start;
    for (const a of agents) this.agents.set(a.id, new SimAgent(a));
  }

  agent(id: string): SimAgent {
    const a = this.agents.get(id);
    if (!a) throw new Error(`no simulated agent ${id}`);
    return a;
  }

  async start(input: {
    organizer: string;
    negotiationId: string;
    participants: readonly string[];
    window: Interval;
    durationMin: number;
    title: string;
    ttlMs: number;
  }): Promise<void> {
    const { state, effects } = startNegotiation({
      negotiationId: input.negotiationId,
      self: input.organizer,
      participants: input.participants,
      window: input.window,
      durationMin: input.durationMin,
      title: input.title,
      expiresAt: this.now + input.ttlMs,
      now: this.now,
    });
    const a = this.agent(input.organizer);
    a.negotiations.set(input.negotiationId, state);
    await this.perform(a, input.negotiationId, effects);
  }

  /** Feeds one event to one agent's negotiation and performs what comes out. */
  async feed(agentId: string, negotiationId: string, event: NegotiationEvent): Promise<void> {
    const a = this.agent(agentId);
    const state = a.negotiations.get(negotiationId);
    if (!state) return;
    const r = step(state, event, this.now);
    if (r.rejection) a.rejections.push(r.rejection.code);
    a.negotiations.set(negotiationId, r.state);
    await this.perform(a, negotiationId, r.effects);
  }

  /** Delivers raw text as if it came out of the encrypted channel. */
  async deliverRaw(to: string, raw: unknown): Promise<void> {
    const a = this.agent(to);
    const parsed = parseMessage(raw, this.now);
    if (!parsed.ok) {
      a.rejections.push('unexpected_message');
      return;
    }
    const m = parsed.message;
    if (!a.negotiations.has(m.negotiationId)) {
      if (m.type !== 'QUERY') {
        a.rejections.push('unexpected_message');
        return;
      }
      const open = [...a.negotiations.values()].filter(
        (n) =>
          n.role === 'participant' &&
          n.organizer === m.sender &&
          !['booked', 'declined', 'cancelled', 'expired'].includes(n.phase),
      ).length;
      const admitted = admitNewNegotiation(a.gate, m.sender, open, this.now);
      if (!admitted.ok) {
        a.rejections.push('unexpected_message');
        return;
      }
      const joined = joinNegotiation({ self: to, query: m, policy: a.config.policy, now: this.now });
      if (!joined.ok) {
        a.rejections.push(joined.code);
        return;
      }
      a.gate = admitted.gate;
      a.negotiations.set(m.negotiationId, joined.result.state);
      await this.perform(a, m.negotiationId, joined.result.effects);
      return;
    }
    await this.feed(to, m.negotiationId, { type: 'message', message: m });
  }

  private send(to: string, raw: string): void {
    const copies = this.random() < this.faults.drop ? 0 : this.random() < this.faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.queue.push({
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

  private async perform(a: SimAgent, negotiationId: string, effects: readonly Effect[]): Promise<void> {
    for (const e of effects) {
      switch (e.kind) {
        case 'send':
          this.send(e.to, JSON.stringify(e.message));
          break;
        case 'need_availability':
          await this.feed(a.config.id, negotiationId, {
            type: 'availability',
            free: a.config.free,
            ranked: this.ranked(a.config.free, e.window, e.durationMin),
          });
          break;
        case 'request_approval': {
          a.approvals.push(e.request);
          const decision = a.config.decide?.(e.request) ?? 'approve';
          if (typeof decision === 'object') {
            await this.feed(a.config.id, negotiationId, { type: 'counter', slots: decision.counter });
          } else {
            await this.feed(a.config.id, negotiationId, {
              type: 'approval',
              actionHash: e.request.actionHash,
              approved: decision === 'approve',
            });
          }
          break;
        }
        case 'book': {
          await applyBooking(a.calendar, e.plan, 'organizer');
          this.inviteAttendees(e.plan);
          await this.feed(a.config.id, negotiationId, { type: 'booked', eventId: e.plan.eventId });
          break;
        }
        case 'ensure_invitation':
          await applyBooking(a.calendar, e.plan, 'invitee');
          break;
        case 'cancel_event': {
          const ev = await a.calendar.findByICalUID(e.iCalUID);
          if (ev) await a.calendar.cancelEvent(ev.eventId);
          if (a.negotiations.get(negotiationId)?.role === 'organizer') {
            for (const other of this.agents.values()) {
              const copy = await other.calendar.findByICalUID(e.iCalUID);
              if (copy && other !== a) await other.calendar.cancelEvent(copy.eventId);
            }
          }
          break;
        }
        case 'audit':
          a.audit.push(e.entry);
          break;
        case 'outcome':
          a.outcomes.set(e.negotiationId, e.outcome);
          break;
      }
    }
  }

  /** What Google does when the organizer's event lists attendees: their calendars get it. */
  private inviteAttendees(plan: BookingPlan): void {
    for (const id of plan.attendees) {
      const other = this.agents.get(id);
      if (!other || id === plan.organizer || other.config.invitable === false) continue;
      const existing = other.calendar.list().find((x) => x.iCalUID === plan.iCalUID);
      if (existing) void other.calendar.moveEvent(existing.eventId, plan.slot);
      else other.calendar.deliver(plan);
    }
  }

  /** Runs until nothing is queued and every negotiation rests, ticking the clock by `tickMs`. */
  async run(opts: { tickMs: number; until: number }): Promise<void> {
    while (this.now <= opts.until) {
      const due = this.queue.filter((x) => x.at <= this.now);
      if (due.length > 0) {
        this.queue = this.queue.filter((x) => x.at > this.now);
        // Shuffle the due envelopes: delivery order is not send order.
        const shuffled = due
          .map((x) => ({ x, k: this.random() }))
          .sort((p, q) => p.k - q.k || p.x.order - q.x.order)
          .map((p) => p.x);
        for (const env of shuffled) await this.deliverRaw(env.to, env.raw);
        continue;
      }
      if (this.queue.length === 0 && this.resting()) return;
      this.now += opts.tickMs;
      for (const a of this.agents.values()) {
        for (const id of [...a.negotiations.keys()]) await this.feed(a.config.id, id, { type: 'tick' });
      }
    }
  }

  private resting(): boolean {
    for (const a of this.agents.values()) {
      for (const n of a.negotiations.values()) {
        const done =
          n.role === 'organizer'
            ? ['booked', 'failed', 'cancelled'].includes(n.phase)
            : ['booked', 'declined', 'cancelled', 'expired'].includes(n.phase);
        if (!done) return false;
      }
    }
    return true;
  }
}
