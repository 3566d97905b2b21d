/**
 * The one effect interpreter for negotiations (docs/protocol/scheduling.md, INT rules). The engine's
 * machines are pure; this runs them for one agent: it serialises that agent's events, loads the
 * negotiation record, steps it, persists the new state and the effects still to perform BEFORE
 * performing any of them, performs them through ports and feeds the results back as events.
 * The product's `Negotiator` (src/agent) and the tests' `Simulation` both run it, with their own ports.
 *
 *   event ─▶ step ─▶ put { state, pending: effects ++ pending } ─▶ perform head ─▶ put { pending: rest }
 *                                                                       │ result (availability, booked,
 *                                                                       ▼ booking_failed) ─▶ step again
 *                                                 a failure other than a booking ─▶ retry list, tick retries
 *
 * A worker that dies between an effect and the commit that removes it performs it again when it comes
 * back (INT2): every effect is idempotent — sends are de-duplicated by message id at the peer, bookings
 * by the event id derived from the negotiation id (BKG1–2), audit entries by an id derived from the
 * negotiation and the step that produced them, outcomes and approvals are overwritten, not added.
 */
import type { ApprovalRequest } from './approvals';
import type { BookingPlan } from './booking';
import { type DisclosureLedger, recordDisclosure, toldRecently } from './disclosure';
import { base64url, blake2b } from './hash';
import { type InboundGate, EMPTY_GATE, admitNewNegotiation } from './inbound-gate';
import type { Interval } from './interval';
import { type ParseRejectCode, parseMessage } from './messages';
import { type NegotiationState, nextWakeAt, step } from './negotiation';
import {
  type AuditEntry,
  type Effect,
  type NegotiationEvent,
  type NegotiationResult,
  type Outcome,
  type RejectCode,
  resultOf,
} from './negotiation-types';
import { startNegotiation } from './organizer-machine';
import { joinNegotiation } from './participant-machine';
import type { DisclosurePolicy } from './preferences';
import { createLogger, errorFields, type Logger } from '../log';

/** An effect waiting to be performed; `key` names it for good (audit ids derive from it). */
export interface PendingEffect {
  readonly key: string;
  readonly effect: Effect;
}

/** An effect that failed (a send that threw, an invitation the calendar refused) and is retried. */
export interface RetryEffect extends PendingEffect {
  readonly attempts: number;
  readonly retryAt: number;
}

/** One negotiation as it is persisted: the machine's state and what the interpreter still owes it. */
export interface NegotiationRecord {
  readonly id: string;
  readonly updated: number;
  readonly state: NegotiationState;
  readonly outcome?: Outcome;
  /** OUT1: the outcome's one kind (declined by whom, no common time, expired, cancelled, failed). */
  readonly result?: NegotiationResult;
  /** Effects of past steps not yet performed, in order (INT1). */
  readonly pending?: readonly PendingEffect[];
  /** Failed effects retried on ticks (INT4). */
  readonly retry?: readonly RetryEffect[];
  /** Effects given up on after the last retry, by kind: what the person is told (INT4). */
  readonly problems?: readonly Effect['kind'][];
  /** Steps taken so far: with the effect's index it names a pending effect. */
  readonly steps?: number;
}

/** Ports: what the interpreter needs from the world. Plain interfaces, faked in the Simulation. */
export interface NegotiationStorePort {
  get(id: string): Promise<NegotiationRecord | undefined>;
  put(record: NegotiationRecord): Promise<void>;
  list(): Promise<NegotiationRecord[]>;
  /** NEG7's gate, persisted so a restarted worker does not hand a flooder fresh tokens. */
  gate(): Promise<InboundGate>;
  putGate(gate: InboundGate): Promise<void>;
  /** DIS6's ledger of what was told to whom, persisted for the same reason as the gate. */
  ledger(): Promise<DisclosureLedger>;
  putLedger(ledger: DisclosureLedger): Promise<void>;
}

export interface AuditPort {
  /** Idempotent by id: the same entry replayed after a crash is written once. */
  append(id: string, entry: AuditEntry): Promise<void>;
}

export interface NetworkPort {
  /** Hands a message to the encrypted channel; may throw (INT4). */
  send(to: string, raw: string): Promise<void>;
}

export interface CalendarPort {
  /** Free time and ranked candidate slots for a window, under the counterpart's disclosure rules. */
  availability(request: {
    negotiationId: string;
    window: Interval;
    durationMin: number;
    counterpart: string;
  }): Promise<{
    free: readonly Interval[];
    ranked: readonly Interval[];
    /** CNV6: the person's meeting hours in the window (Availability.hours); absent: the whole window. */
    hours?: readonly Interval[];
  }>;
  /** Creates (organizer) or finds/imports (invitee) the event with the plan's id; CAN fail (INT3). */
  book(
    plan: BookingPlan,
    role: 'organizer' | 'invitee',
    state: NegotiationState,
  ): Promise<void | { readonly iCalUID?: string }>;
  cancel(event: { eventId: string; iCalUID: string }, state: NegotiationState): Promise<void>;
}

export interface ApprovalsPort {
  /**
   * The engine asks the person. The product tells the UI, which later calls `decide`; a scripted
   * person must queue its answer for after the current operation, never call back in from here.
   */
  requested(negotiationId: string, request: ApprovalRequest): void;
}

export interface PolicyPort {
  /** The disclosure rules for one contact (DIS2). */
  disclosure(counterpart: string): Promise<DisclosurePolicy>;
}

/** Why an inbound message or an event changed nothing: for tests and counters, never shown to peers. */
export type Refusal = RejectCode | ParseRejectCode | 'wrong_sender' | 'rate_limited' | 'too_many_open';

export interface InterpreterPorts {
  readonly self: string;
  readonly store: NegotiationStorePort;
  readonly audit: AuditPort;
  readonly network: NetworkPort;
  readonly calendar: CalendarPort;
  readonly approvals: ApprovalsPort;
  readonly policy: PolicyPort;
  readonly clock: () => number;
  /** Runs one task at a time for this agent (the product passes the vault's Mutex). */
  readonly serialize: <T>(task: () => Promise<T>) => Promise<T>;
  /** After every operation that changed something: the product refreshes its views. */
  readonly changed?: (negotiationId: string) => void;
  readonly refused?: (code: Refusal) => void;
  readonly log?: Logger;
}

/** Attempts of a failed effect before it is given up and reported (INT4). */
export const MAX_EFFECT_ATTEMPTS = 8;
const DONE = new Set(['booked', 'failed', 'cancelled', 'declined', 'expired']);

export class NegotiationInterpreter {
  readonly #p: InterpreterPorts;
  readonly #log: Logger;

  constructor(ports: InterpreterPorts) {
    this.#p = ports;
    this.#log = ports.log ?? createLogger('scheduling').child('interpreter');
  }

  /** The organizer's machine starts (NGR1). */
  start(input: {
    negotiationId: string;
    participants: readonly string[];
    window: Interval;
    durationMin: number;
    title: string;
    expiresAt: number;
    /** ASK1: the person's consent to the request covers proposing and booking any slot inside it. */
    consent?: boolean;
  }): Promise<void> {
    return this.#serial(async () => {
      const now = this.#p.clock();
      const result = startNegotiation({ ...input, self: this.#p.self, now });
      await this.#commit({ id: input.negotiationId, updated: now, state: result.state }, result.effects, now);
    });
  }

  /**
   * A message out of the encrypted channel, `from` its authenticated sender (INT5): parsed, checked
   * against that sender, then fed to its negotiation, or — a QUERY only — admitted through the gate.
   */
  receive(from: string, raw: unknown): Promise<void> {
    return this.#serial(async () => {
      const now = this.#p.clock();
      // JSON text goes to the engine's parser as is: it enforces the length budget before parsing (NEG8).
      const parsed = parseMessage(raw, now);
      if (!parsed.ok) return this.#refuse(parsed.code);
      const message = parsed.message;
      if (message.sender !== from) return this.#refuse('wrong_sender');
      const existing = await this.#p.store.get(message.negotiationId);
      // NEG13: the machines get the authenticated sender with the message and check it themselves too.
      if (existing) return this.#apply(existing, { type: 'message', from, message });
      if (message.type !== 'QUERY') return this.#refuse('unexpected_message');
      const open = (await this.#p.store.list()).filter(
        (r) => r.state.role === 'participant' && r.state.organizer === from && !DONE.has(r.state.phase),
      ).length;
      const admitted = admitNewNegotiation((await this.#p.store.gate()) ?? EMPTY_GATE, from, open, now);
      if (!admitted.ok) return this.#refuse(admitted.code);
      const joined = joinNegotiation({
        self: this.#p.self,
        from,
        query: message,
        policy: await this.#p.policy.disclosure(from),
        now,
      });
      if (!joined.ok) return this.#refuse(joined.code);
      await this.#p.store.putGate(admitted.gate);
      const id = message.negotiationId;
      await this.#commit({ id, updated: now, state: joined.result.state }, joined.result.effects, now);
    });
  }

  /** Any event for one negotiation (the person's decisions, a reschedule, a test's script). */
  feed(negotiationId: string, event: NegotiationEvent): Promise<void> {
    return this.#serial(async () => {
      const record = await this.#p.store.get(negotiationId);
      if (record) await this.#apply(record, event);
    });
  }

  decide(negotiationId: string, actionHash: string, approved: boolean): Promise<void> {
    return this.feed(negotiationId, { type: 'approval', actionHash, approved });
  }

  cancel(negotiationId: string): Promise<void> {
    return this.feed(negotiationId, { type: 'cancel' });
  }

  /**
   * The organizer's negotiation runs again: the old outcome no longer holds. A participant only asks
   * its organizer (a RESCHEDULE that may be lost or refused) and stays booked, outcome and all, until
   * the organizer reopens the negotiation (INT8).
   */
  reschedule(
    negotiationId: string,
    input: { window: Interval; durationMin: number; expiresAt: number },
  ): Promise<void> {
    return this.#serial(async () => {
      const record = await this.#p.store.get(negotiationId);
      if (!record) return;
      const { outcome: _previous, result: _result, ...rest } = record;
      await this.#apply(record.state.role === 'organizer' ? rest : record, { type: 'reschedule', ...input });
    });
  }

  /**
   * Timers (INT2, INT4, NEG11): effects a dead worker left pending are performed, failed effects whose
   * time has come are retried, and machines whose wake-up time has passed get a `tick`.
   */
  tick(): Promise<void> {
    return this.#serial(async () => {
      const now = this.#p.clock();
      for (const listed of await this.#p.store.list()) {
        let record = listed;
        if (record.pending?.length) record = await this.#drain(record);
        if (record.retry?.some((r) => r.retryAt <= now)) record = await this.#retry(record, now);
        const wake = nextWakeAt(record.state);
        if (wake !== null && wake <= now) await this.#apply(record, { type: 'tick' });
      }
    });
  }

  /** When `tick` next has something to do for this record, or null. */
  static wakeAt(record: NegotiationRecord): number | null {
    if (record.pending?.length) return -Infinity;
    const times = [nextWakeAt(record.state), ...(record.retry ?? []).map((r) => r.retryAt)];
    const due = times.filter((t): t is number => t !== null);
    return due.length ? Math.min(...due) : null;
  }

  #serial(task: () => Promise<void>): Promise<void> {
    return this.#p.serialize(task);
  }

  #refuse(code: Refusal): void {
    this.#p.refused?.(code);
  }

  async #apply(record: NegotiationRecord, event: NegotiationEvent): Promise<void> {
    const now = this.#p.clock();
    const result = step(record.state, event, now);
    if (result.rejection) this.#refuse(result.rejection.code);
    // NEG5: a refusal is the very same state; only a duplicate's resend has anything to do.
    if (result.rejection && result.effects.length === 0) return;
    await this.#commit({ ...record, updated: now, state: result.state }, result.effects, now);
  }

  /**
   * DIS6: every disclosure a step asks for is written to the ledger before the step is stored, so before
   * anything is sent. A worker that dies after this write and before the record's counts it twice, which
   * only errs towards asking the person (and re-telling a slot the ledger holds costs nothing).
   */
  async #ledger(effects: readonly Effect[]): Promise<void> {
    const told = effects.flatMap((e) =>
      e.kind === 'audit' && e.entry.action === 'disclosed' && e.entry.slots.length > 0 ? [e.entry] : [],
    );
    if (told.length === 0) return;
    let ledger = await this.#p.store.ledger();
    for (const entry of told) {
      for (const contact of entry.counterparts)
        ledger = recordDisclosure(ledger, contact, entry.slots, entry.at);
    }
    await this.#p.store.putLedger(ledger);
  }

  /** INT1: the new state and every effect it asks for are stored before the first is performed. */
  async #commit(record: NegotiationRecord, effects: readonly Effect[], now: number): Promise<void> {
    await this.#ledger(effects);
    const steps = (record.steps ?? 0) + 1;
    const fresh = effects.map((effect, i) => ({ key: `${steps}.${i}`, effect }));
    const next: NegotiationRecord = {
      ...record,
      updated: now,
      steps,
      pending: [...fresh, ...(record.pending ?? [])],
    };
    await this.#p.store.put(next);
    await this.#drain(next);
    this.#p.changed?.(record.id);
  }

  /** Performs pending effects in order; each is removed, and its result stepped, in one put. */
  async #drain(start: NegotiationRecord): Promise<NegotiationRecord> {
    let record = start;
    while (record.pending?.length) {
      const [head, ...rest] = record.pending;
      const done = await this.#perform(record, head!);
      let next: NegotiationRecord = { ...record, pending: rest };
      if (done.outcome) next = { ...next, outcome: done.outcome, result: resultOf(done.outcome) };
      if (done.failed) next = this.#failed(next, head!, 0);
      if (done.event) {
        const now = this.#p.clock();
        const result = step(next.state, done.event, now);
        if (result.rejection) this.#refuse(result.rejection.code);
        await this.#ledger(result.effects);
        const steps = (next.steps ?? 0) + 1;
        next = {
          ...next,
          state: result.state,
          updated: now,
          steps,
          pending: [...result.effects.map((effect, i) => ({ key: `${steps}.${i}`, effect })), ...rest],
        };
      }
      await this.#p.store.put(next);
      record = next;
    }
    return record;
  }

  async #retry(record: NegotiationRecord, now: number): Promise<NegotiationRecord> {
    let next = record;
    for (const item of record.retry ?? []) {
      if (item.retryAt > now) continue;
      const done = await this.#perform(next, item);
      next = { ...next, retry: (next.retry ?? []).filter((r) => r.key !== item.key) };
      if (done.failed) next = this.#failed(next, item, item.attempts);
      await this.#p.store.put(next);
      if (done.event) await this.#apply(next, done.event);
      next = (await this.#p.store.get(record.id)) ?? next;
    }
    return next;
  }

  /** INT4: a failed effect is retried with backoff; after the last attempt it is reported. */
  #failed(record: NegotiationRecord, item: PendingEffect, attempts: number): NegotiationRecord {
    const kind = item.effect.kind;
    if (attempts + 1 >= MAX_EFFECT_ATTEMPTS) {
      this.#log.warn('effect_abandoned', { effect: kind, attempts: attempts + 1 });
      return { ...record, problems: [...new Set([...(record.problems ?? []), kind])] };
    }
    const base = record.state.timing.retryMs;
    const retryAt = this.#p.clock() + base * 2 ** Math.min(attempts, 6);
    return { ...record, retry: [...(record.retry ?? []), { ...item, attempts: attempts + 1, retryAt }] };
  }

  async #perform(
    record: NegotiationRecord,
    { key, effect }: PendingEffect,
  ): Promise<{ event?: NegotiationEvent; outcome?: Outcome; failed?: true }> {
    const p = this.#p;
    const attempt = async (name: string, task: () => Promise<unknown>): Promise<{ failed?: true }> => {
      try {
        await task();
        return {};
      } catch (error) {
        this.#log.warn(name, { ...errorFields(error), effect: effect.kind });
        return { failed: true };
      }
    };
    switch (effect.kind) {
      case 'send':
        return attempt('send_failed', () => p.network.send(effect.to, JSON.stringify(effect.message)));
      case 'need_availability': {
        let found: { free: readonly Interval[]; ranked: readonly Interval[]; hours?: readonly Interval[] };
        try {
          found = await p.calendar.availability(effect);
        } catch (error) {
          this.#log.warn('availability_failed', errorFields(error));
          return { failed: true };
        }
        // DIS6: a participant plans its disclosure knowing what this contact learnt lately, everywhere.
        const told =
          record.state.role === 'participant'
            ? toldRecently(await p.store.ledger(), effect.counterpart, p.clock())
            : [];
        return {
          event: {
            type: 'availability',
            free: found.free,
            ranked: found.ranked,
            ...(found.hours ? { hours: found.hours } : {}),
            told,
          },
        };
      }
      case 'request_approval':
        p.approvals.requested(record.id, effect.request);
        return {};
      case 'book':
        // INT3: the organizer's booking can fail; the machine then ends the negotiation, tells every
        // participant, and the person sees why. A retry of this very effect (INT2) finds the event.
        try {
          const booked = await p.calendar.book(effect.plan, 'organizer', record.state);
          // ATT3: the iCalUID the calendar gave the event goes to the participants in the confirmation.
          const iCalUID = booked?.iCalUID;
          return {
            event: {
              type: 'booked',
              eventId: effect.plan.eventId,
              ...(iCalUID !== undefined && { iCalUID }),
            },
          };
        } catch (error) {
          this.#log.warn('booking_failed', { ...errorFields(error), mode: effect.mode });
          return { event: { type: 'booking_failed' } };
        }
      case 'ensure_invitation':
        return attempt('invitation_failed', () => p.calendar.book(effect.plan, 'invitee', record.state));
      case 'cancel_event':
        return attempt('cancel_failed', () => p.calendar.cancel(effect, record.state));
      case 'audit':
        // [NGR4] Every disclosure and decision is in the audit log (what, to whom, when).
        await p.audit.append(auditId(record.id, key), effect.entry);
        return {};
      case 'outcome':
        return { outcome: effect.outcome };
    }
  }
}

/** Derived, not random, so an audit effect performed twice (INT2) is one entry; opaque on disk. */
export function auditId(negotiationId: string, key: string): string {
  return base64url(blake2b('audit-id', `${negotiationId}\n${key}`, 16));
}
