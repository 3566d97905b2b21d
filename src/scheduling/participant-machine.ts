/**
 * One negotiation, seen by an invited participant's agent. Pure: step(state, event, now) returns the
 * next state and the effects for the runtime to perform. Refused input leaves the state untouched.
 *
 *   QUERY ──▶ checking ──availability──▶ (within policy) ──────────────▶ responded ◀─┐
 *                 │                       (beyond policy)                  │    │    │ QUERY round+1
 *                 │                             ▼                          │    └────┘ (→ checking)
 *                 │                  approving_disclosure ──approve──▶ responded
 *                 │                             └──decline──▶ declined
 *                 │                                                        │ PROPOSAL (slot we offered)
 *                 │                                                        ▼
 *                 │                                          approving_accept ──decline──▶ declined
 *                 │                                               │  └──counter──▶ responded
 *                 │                                            approve
 *                 │                                               ▼
 *                 │                    newer PROPOSAL ◀──── accepted ──CONFIRMATION(booked)──▶ booked
 *                 │                                                                          │
 *   any open phase ── CANCEL / cancel ──▶ cancelled        booked ── RESCHEDULE ──▶ checking ─┘
 *   any open phase ── tick after expiry ──▶ expired          (RESCHEDULE in any other phase: refused, NEG17)
 *
 * Duplicates are answered with the identical earlier reply; stale, out-of-order or unexpected
 * messages get a typed rejection (NEG rules in docs/protocol/scheduling.md). The organizer is whoever the
 * channel authenticated as the QUERY's sender (NEG13), and what it learns is bounded over the
 * negotiation's whole life (DIS5) and, through the interpreter's ledger, per contact over time (DIS6).
 */
import { type ApprovalAction, checkApproval, createApprovalRequest } from './approvals';
import { planBooking } from './booking';
import {
  DEFAULT_MAX_SLOTS_PER_WEEK,
  addDistinct,
  answerHours,
  planAnswer,
  planDisclosure,
} from './disclosure';
import { type Interval, MINUTE } from './interval';
import { LIMITS, type Message, type MessageOf, type PeerText, asPeerText, onGrid } from './messages';
import {
  EMPTY_INBOX,
  type MessageBody,
  admit,
  cancelResent,
  cancelToResend,
  compose,
  containsSlot,
  reject,
  remember,
  sameSlot,
  screen,
} from './negotiation-common';
import {
  DEFAULT_TIMING,
  type Effect,
  type Inbox,
  type NegotiationEvent,
  type NegotiationTiming,
  type Outbox,
  type RejectCode,
  type StepResult,
} from './negotiation-types';
import type { DisclosurePolicy } from './preferences';
import { normalizePeerText } from '../text';

export type ParticipantPhase =
  | 'checking'
  | 'approving_disclosure'
  | 'responded'
  | 'approving_accept'
  | 'accepted'
  | 'booked'
  | 'declined'
  | 'cancelled'
  | 'expired';

export interface ParticipantState {
  readonly role: 'participant';
  readonly negotiationId: string;
  readonly self: string;
  readonly organizer: string;
  readonly phase: ParticipantPhase;
  readonly ask: {
    readonly replyTo: string;
    readonly round: number;
    readonly window: Interval;
    readonly durationMin: number;
    readonly participants: readonly string[];
    readonly title?: PeerText;
    /** CNV2: the organizer's candidate times in this round, if it sent any. */
    readonly candidates?: readonly Interval[];
    /** CNV6: the organizer's meeting hours (coarse), when this round asks when we could meet at all. */
    readonly hours?: readonly Interval[];
  };
  readonly policy: DisclosurePolicy;
  /**
   * ASK1: the person made their one decision for this meeting (chose the times to offer, or countered):
   * later rounds answer within the rule, and a proposal of an offered time is accepted without asking.
   */
  readonly decided?: boolean;
  /** Every distinct slot told to the organizer in this negotiation, over its whole life (DIS5). */
  readonly disclosed: readonly Interval[];
  /**
   * Slots offered since the last reschedule: what a PROPOSAL may pick (NEG6). Absent in states stored
   * before DIS5, where `disclosed` was reset on reschedule and meant the same.
   */
  readonly offered?: readonly Interval[];
  readonly ranked: readonly Interval[];
  readonly pendingDisclosure: readonly Interval[];
  /** CNV8: the pending answer left out candidates that fit, for the budget. */
  readonly pendingMore?: boolean;
  readonly proposal: {
    readonly messageId: string;
    readonly slot: Interval;
    readonly participants: readonly string[];
  } | null;
  readonly acceptId: string | null;
  readonly booking: { readonly eventId: string; readonly iCalUID: string; readonly slot: Interval } | null;
  readonly pendingApproval: ReturnType<typeof createApprovalRequest> | null;
  readonly seq: number;
  readonly expiresAt: number;
  readonly inbox: Inbox;
  readonly outbox: Outbox | null;
  readonly timing: NegotiationTiming;
}

const OPEN: readonly ParticipantPhase[] = [
  'checking',
  'approving_disclosure',
  'responded',
  'approving_accept',
  'accepted',
];
const isOpen = (p: ParticipantPhase) => OPEN.includes(p);

export type JoinResult =
  | { readonly ok: true; readonly result: StepResult<ParticipantState> }
  | { readonly ok: false; readonly code: RejectCode };

/**
 * A QUERY for a negotiation this agent does not know yet. `policy` is the person's disclosure rule
 * for the sender (disclosurePolicyFor). Rate limits on new negotiations live in InboundGate.
 */
export function joinNegotiation(input: {
  self: string;
  /** The QUERY's sender as the encrypted channel authenticated it (NEG13): the organizer. */
  from: string;
  query: MessageOf<'QUERY'>;
  policy: DisclosurePolicy;
  now: number;
  timing?: NegotiationTiming;
}): JoinResult {
  const { self, from, now } = input;
  const checked = admit(from, input.query, now);
  if (!checked.ok) return { ok: false, code: checked.code };
  if (checked.message.type !== 'QUERY') return { ok: false, code: 'unexpected_message' };
  const q = checked.message;
  if (q.round !== 1) return { ok: false, code: 'unexpected_message' };
  if (!q.participants.includes(self) || !q.participants.includes(from) || from === self) {
    return { ok: false, code: 'unknown_sender' };
  }
  const state: ParticipantState = {
    role: 'participant',
    negotiationId: q.negotiationId,
    self,
    organizer: from,
    phase: 'checking',
    ask: {
      replyTo: q.messageId,
      round: 1,
      window: q.window,
      durationMin: q.durationMin,
      participants: q.participants,
      ...(q.title !== undefined ? { title: q.title } : {}),
      ...(q.candidates !== undefined ? { candidates: q.candidates } : {}),
      ...(q.hours !== undefined ? { hours: q.hours } : {}),
    },
    policy: input.policy,
    disclosed: [],
    offered: [],
    ranked: [],
    pendingDisclosure: [],
    proposal: null,
    acceptId: null,
    booking: null,
    pendingApproval: null,
    seq: 0,
    expiresAt: q.expiresAt,
    inbox: remember(EMPTY_INBOX, q, input.timing ?? DEFAULT_TIMING),
    outbox: null,
    timing: input.timing ?? DEFAULT_TIMING,
  };
  return { ok: true, result: { state, effects: [needAvailability(state)] } };
}

function needAvailability(s: ParticipantState): Effect {
  return {
    kind: 'need_availability',
    negotiationId: s.negotiationId,
    window: s.ask.window,
    durationMin: s.ask.durationMin,
    counterpart: s.organizer,
  };
}

/** Sends one message to the organizer and makes it the one resent until answered. */
function send(
  s: ParticipantState,
  body: MessageBody,
  inReplyTo: string | null,
  now: number,
  patch: Partial<ParticipantState>,
  extra: Effect[] = [],
): StepResult<ParticipantState> {
  const message = compose(s, body, now);
  const outbox: Outbox = { message, inReplyTo, retryAt: now + s.timing.retryMs, retries: 0 };
  return {
    state: { ...s, ...patch, seq: s.seq + 1, outbox },
    effects: [{ kind: 'send', to: s.organizer, message }, ...extra],
  };
}

function audit(
  s: ParticipantState,
  action: 'disclosed' | 'accepted' | 'declined' | 'cancelled',
  slots: readonly Interval[],
  now: number,
): Effect {
  return {
    kind: 'audit',
    entry: { at: now, negotiationId: s.negotiationId, action, counterparts: [s.organizer], slots },
  };
}

function respond(
  s: ParticipantState,
  slots: readonly Interval[],
  now: number,
  extra: { hours?: readonly Interval[]; exhausted?: boolean; more?: boolean } = {},
): StepResult<ParticipantState> {
  const hours = extra.hours?.map((x) => ({ start: x.start, end: x.end }));
  const told: Effect[] = [];
  if (slots.length > 0) told.push(audit(s, 'disclosed', slots, now));
  // DIS4: the hours are a disclosure too (not of free time): audited with the ranges told.
  if (hours && hours.length > 0) {
    told.push({
      kind: 'audit',
      entry: {
        at: now,
        negotiationId: s.negotiationId,
        action: 'disclosed',
        counterparts: [s.organizer],
        slots: [],
        hours,
      },
    });
  }
  return send(
    s,
    {
      type: 'RESPONSE',
      inReplyTo: s.ask.replyTo,
      round: s.ask.round,
      granularityMin: s.policy.granularityMin,
      slots: slots.map((x) => ({ start: x.start, end: x.end })),
      ...(hours ? { hours } : {}),
      ...(extra.exhausted ? { exhausted: true as const } : {}),
      ...(extra.more ? { more: true as const } : {}),
    },
    s.ask.replyTo,
    now,
    {
      phase: 'responded',
      disclosed: addDistinct(s.disclosed, slots),
      offered: addDistinct(offeredOf(s), slots),
      pendingDisclosure: [],
      pendingApproval: null,
      pendingMore: false,
    },
    told,
  );
}

/** NEG6/DIS5: what was offered since the last reschedule. */
function offeredOf(s: ParticipantState): readonly Interval[] {
  return s.offered ?? s.disclosed;
}

function approval(s: ParticipantState, action: ApprovalAction, now: number) {
  return createApprovalRequest(action, now, Math.min(s.timing.approvalTtlMs, Math.max(1, s.expiresAt - now)));
}

export function participantStep(
  s: ParticipantState,
  e: NegotiationEvent,
  now: number,
): StepResult<ParticipantState> {
  switch (e.type) {
    case 'message':
      return onMessage(s, e.from, e.message, now);
    case 'availability': {
      if (s.phase !== 'checking') return reject(s, 'unexpected_event');
      const ranked0 = e.ranked.map((x) => ({ start: x.start, end: x.end }));
      if (s.ask.hours !== undefined && s.ask.candidates === undefined) {
        // CNV6/CNV7: "when could you meet at all?" — hours or "exhausted", never a free time: no approval.
        const a = answerHours({
          free: e.free,
          hours: e.hours ?? [s.ask.window],
          asked: s.ask.hours,
          window: s.ask.window,
          policy: s.policy,
          durationMin: s.ask.durationMin,
        });
        return respond(
          { ...s, ranked: ranked0 },
          [],
          now,
          a.exhausted ? { exhausted: true } : { hours: a.hours },
        );
      }
      const plan = converging(s)
        ? planRound(s, e)
        : planDisclosure({
            ranked: e.ranked,
            offered: offeredOf(s),
            told: s.disclosed,
            toldContact: e.told ?? [],
            policy: s.policy,
            durationMin: s.ask.durationMin,
          });
      const ranked = ranked0;
      const more = 'more' in plan && plan.more === true;
      if (!plan.needsApproval) return respond({ ...s, ranked }, plan.slots, now, { more });
      const request = approval(
        s,
        {
          kind: 'disclose',
          negotiationId: s.negotiationId,
          to: s.organizer,
          slots: plan.slots,
          ...(once(s) && !s.decided ? { andAccept: true as const } : {}),
        },
        now,
      );
      return {
        state: {
          ...s,
          ranked,
          phase: 'approving_disclosure',
          pendingDisclosure: plan.slots,
          pendingMore: more,
          pendingApproval: request,
        },
        effects: [{ kind: 'request_approval', request }],
      };
    }
    case 'approval': {
      if (s.phase !== 'approving_disclosure' && s.phase !== 'approving_accept')
        return reject(s, 'no_pending_approval');
      const check = checkApproval(s.pendingApproval, e, now);
      if (!check.ok) return reject(s, check.code);
      if (s.phase === 'approving_disclosure') {
        const decided = s.decided || (once(s) && s.pendingApproval?.action.kind === 'disclose');
        return check.approved
          ? respond({ ...s, ...(decided ? { decided: true } : {}) }, s.pendingDisclosure, now, {
              more: s.pendingMore === true,
            })
          : decline(s, s.ask.replyTo, now);
      }
      const p = s.proposal!;
      if (!check.approved) return decline(s, p.messageId, now);
      return acceptProposal({ ...s, decided: once(s) ? true : s.decided }, now);
    }
    case 'counter': {
      // ASK3: the person's one decision may be a counter to the organizer's ask: their own times.
      if (s.phase === 'approving_disclosure') return counterAsk(s, e.slots, e.note, now);
      // The person offers other times instead of the proposal: they chose them, so no approval.
      if (s.phase !== 'approving_accept' || !s.proposal) return reject(s, 'unexpected_event');
      const slots = e.slots.slice(0, 5).map((x) => ({ start: x.start, end: x.end }));
      // NEG16: held to what the organizer checks (grid, duration, window), so it is never refused there.
      const w = s.ask.window;
      if (
        slots.length === 0 ||
        !onGrid(slots, LIMITS.wireGridMin) ||
        slots.some(
          (x) => x.end - x.start !== s.ask.durationMin * MINUTE || x.start < w.start || x.end > w.end,
        )
      ) {
        return reject(s, 'invalid_slot');
      }
      return send(
        s,
        {
          type: 'COUNTER_PROPOSAL',
          inReplyTo: s.proposal.messageId,
          slots,
          ...(e.note ? { note: noteOf(e.note) } : {}),
        },
        s.proposal.messageId,
        now,
        {
          phase: 'responded',
          disclosed: addDistinct(s.disclosed, slots),
          offered: addDistinct(offeredOf(s), slots),
          pendingApproval: null,
          proposal: null,
          ...(once(s) ? { decided: true } : {}),
        },
        [audit(s, 'disclosed', slots, now)],
      );
    }
    case 'decline':
      if (!isOpen(s.phase)) return reject(s, 'closed');
      return decline(s, s.proposal?.messageId ?? s.ask.replyTo, now);
    case 'cancel': {
      if (!isOpen(s.phase) && s.phase !== 'booked') return reject(s, 'closed');
      const r = send(s, { type: 'CANCEL' }, null, now, { phase: 'cancelled', pendingApproval: null }, [
        audit(s, 'cancelled', s.booking ? [s.booking.slot] : [], now),
        ...(s.booking ? [cancelEvent(s)] : []),
        { kind: 'outcome', negotiationId: s.negotiationId, outcome: { status: 'cancelled', by: s.self } },
      ]);
      return r;
    }
    case 'reschedule': {
      if (s.phase !== 'booked') return reject(s, 'unexpected_event');
      // Ask the organizer, who re-runs the negotiation for everyone; we stay booked until then.
      return send(
        { ...s, expiresAt: Math.max(s.expiresAt, e.expiresAt) },
        { type: 'RESCHEDULE', window: e.window, durationMin: e.durationMin },
        null,
        now,
        {},
      );
    }
    case 'tick':
      return onTick(s, now);
    case 'booked':
    case 'booking_failed':
      return reject(s, 'unexpected_event');
  }
}

/** The person's own note, made to pass the organizer's schema (NEG9, NEG18). */
const noteOf = (note: string) =>
  asPeerText(normalizePeerText(note, { maxChars: LIMITS.noteChars, multiline: true }));

/** ASK1: the person is asked once per meeting. */
const once = (s: ParticipantState) => s.policy.decision === 'once';
/** CNV: the organizer sent candidates, or the person's rule answers rounds within a per-round budget. */
const converging = (s: ParticipantState) =>
  once(s) || s.ask.candidates !== undefined || s.ask.hours !== undefined;

/**
 * CNV3: this round's answer (planAnswer) and whether the person must be asked: without an automatic rule,
 * until they made their one decision (ASK1; every round when they chose `each`), and always beyond the
 * contact's weekly budget (DIS6).
 */
function planRound(
  s: ParticipantState,
  e: Extract<NegotiationEvent, { type: 'availability' }>,
): { slots: readonly Interval[]; needsApproval: boolean; more: boolean } {
  const { slots, more } = planAnswer({
    free: e.free,
    ranked: e.ranked,
    window: s.ask.window,
    candidates: s.ask.candidates,
    told: s.disclosed,
    offered: offeredOf(s),
    policy: s.policy,
    durationMin: s.ask.durationMin,
  });
  const contact = addDistinct(addDistinct([], e.told ?? []), slots).length;
  const overWeek = contact > (s.policy.maxSlotsPerWeek ?? DEFAULT_MAX_SLOTS_PER_WEEK);
  const fresh = addDistinct(s.disclosed, slots).length > s.disclosed.length;
  if (once(s)) {
    // The person's one decision covers this negotiation's rounds; an automatic rule stays within DIS6.
    const ask = s.policy.auto ? overWeek : !s.decided && fresh;
    return { slots, more, needsApproval: slots.length > 0 && ask };
  }
  return { slots, more, needsApproval: slots.length > 0 && (overWeek || !s.policy.auto) };
}

function acceptProposal(s: ParticipantState, now: number): StepResult<ParticipantState> {
  const p = s.proposal!;
  return send(
    s,
    { type: 'CONFIRMATION', inReplyTo: p.messageId, slot: { ...p.slot }, phase: 'accept' },
    p.messageId,
    now,
    { phase: 'accepted', pendingApproval: null },
    [audit(s, 'accepted', [p.slot], now)],
  );
}

/** ASK3: instead of the offered times, the person's own, in reply to the organizer's ask. */
function counterAsk(
  s: ParticipantState,
  raw: readonly Interval[],
  note: string | undefined,
  now: number,
): StepResult<ParticipantState> {
  const slots = raw.slice(0, 5).map((x) => ({ start: x.start, end: x.end }));
  const w = s.ask.window;
  if (
    slots.length === 0 ||
    !onGrid(slots, LIMITS.wireGridMin) ||
    slots.some((x) => x.end - x.start !== s.ask.durationMin * MINUTE || x.start < w.start || x.end > w.end)
  ) {
    return reject(s, 'invalid_slot');
  }
  return send(
    s,
    {
      type: 'COUNTER_PROPOSAL',
      inReplyTo: s.ask.replyTo,
      slots,
      ...(note ? { note: noteOf(note) } : {}),
    },
    s.ask.replyTo,
    now,
    {
      phase: 'responded',
      disclosed: addDistinct(s.disclosed, slots),
      offered: addDistinct(offeredOf(s), slots),
      pendingDisclosure: [],
      pendingApproval: null,
      decided: true,
    },
    [audit(s, 'disclosed', slots, now)],
  );
}

function decline(s: ParticipantState, inReplyTo: string, now: number): StepResult<ParticipantState> {
  return send(
    s,
    { type: 'REJECTION', inReplyTo, reason: 'declined' },
    inReplyTo,
    now,
    { phase: 'declined', pendingApproval: null, pendingDisclosure: [] },
    [
      audit(s, 'declined', [], now),
      // NEG19: declining a reschedule drops the meeting it would have moved.
      ...(s.booking ? [cancelEvent(s)] : []),
      {
        kind: 'outcome',
        negotiationId: s.negotiationId,
        outcome: { status: 'failed', reasons: [{ participant: s.self, reason: 'declined' }] },
      },
    ],
  );
}

function cancelEvent(s: ParticipantState): Effect {
  return { kind: 'cancel_event', eventId: s.booking!.eventId, iCalUID: s.booking!.iCalUID };
}

function onTick(s: ParticipantState, now: number): StepResult<ParticipantState> {
  if (isOpen(s.phase) && now >= s.expiresAt) {
    return {
      state: { ...s, phase: 'expired', pendingApproval: null, outbox: null },
      effects: [
        // NEG19: a reschedule that ran out of time drops the meeting it would have moved.
        ...(s.booking ? [cancelEvent(s)] : []),
        {
          kind: 'outcome',
          negotiationId: s.negotiationId,
          outcome: { status: 'failed', reasons: [{ participant: s.organizer, reason: 'timed_out' }] },
        },
      ],
    };
  }
  const o = s.outbox;
  if (s.phase === 'cancelled') {
    // NEG21: our own CANCEL goes again a few times; nothing answers it.
    if (!cancelToResend(o) || now < o.retryAt) return { state: s, effects: [] };
    return {
      state: { ...s, outbox: cancelResent(o, now, s.timing.retryMs) },
      effects: [{ kind: 'send', to: s.organizer, message: o.message }],
    };
  }
  // Only while we wait for the organizer: after a RESPONSE (for a proposal) or an accept (for booking).
  if (
    o &&
    (s.phase === 'responded' || s.phase === 'accepted') &&
    now >= o.retryAt &&
    o.retries < s.timing.maxRetries
  ) {
    return {
      state: { ...s, outbox: { ...o, retryAt: now + s.timing.retryMs, retries: o.retries + 1 } },
      effects: [{ kind: 'send', to: s.organizer, message: o.message }],
    };
  }
  return { state: s, effects: [] };
}

function onMessage(
  s: ParticipantState,
  from: string,
  raw: Message,
  now: number,
): StepResult<ParticipantState> {
  // NEG13: checked again as off the wire, and only from the authenticated organizer.
  const checked = admit(from, raw, now);
  if (!checked.ok) return reject(s, checked.code);
  const m = checked.message;
  if (m.negotiationId !== s.negotiationId) return reject(s, 'wrong_negotiation');
  if (from !== s.organizer) return reject(s, 'unknown_sender');
  const screened = screen(s.inbox, s.outbox, from, m, now);
  if (screened) return reject(s, screened.code, screened.effects);
  const accepted = (patch: Partial<ParticipantState>): ParticipantState => ({
    ...s,
    ...patch,
    inbox: remember(s.inbox, m, s.timing),
  });

  switch (m.type) {
    case 'HEARTBEAT':
    case 'HANDSHAKE':
      // Liveness and agent cards are the session layer's business; nothing changes here.
      return { state: accepted({}), effects: [] };
    case 'QUERY': {
      // Only a widening round of the current ask: flooding with fresh QUERYs changes nothing (NEG7).
      if (s.phase !== 'responded' || m.round !== s.ask.round + 1) return reject(s, 'unexpected_message');
      const { candidates: _previous, hours: _hours, ...ask } = s.ask;
      const next = accepted({
        phase: 'checking',
        ask: {
          ...ask,
          replyTo: m.messageId,
          round: m.round,
          ...(m.candidates !== undefined ? { candidates: m.candidates } : {}),
          ...(m.hours !== undefined ? { hours: m.hours } : {}),
        },
      });
      return { state: next, effects: [needAvailability(next)] };
    }
    case 'RESCHEDULE': {
      // NEG17: only a booked meeting can be moved. DIS5: what was told stays told (the budget is not
      // reset); only what a PROPOSAL may pick starts again.
      if (s.phase !== 'booked') return reject(s, 'unexpected_message');
      const { candidates: _c, hours: _h, ...before } = s.ask;
      const next = accepted({
        phase: 'checking',
        ask: {
          ...before,
          replyTo: m.messageId,
          round: 1,
          window: m.window,
          durationMin: m.durationMin,
          ...(m.hours !== undefined ? { hours: m.hours } : {}),
        },
        offered: [],
        proposal: null,
        acceptId: null,
        pendingApproval: null,
        expiresAt: Math.max(s.expiresAt, m.expiresAt),
      });
      return { state: next, effects: [needAvailability(next)] };
    }
    case 'PROPOSAL': {
      if (!['responded', 'approving_accept', 'accepted'].includes(s.phase))
        return reject(s, 'unexpected_message');
      // NEG6: only a time we offered (since the last reschedule), for the people we were asked about.
      if (!containsSlot(offeredOf(s), m.slot)) return reject(s, 'slot_not_offered');
      if (!m.participants.includes(s.self) || m.participants.some((p) => !s.ask.participants.includes(p))) {
        return reject(s, 'unknown_sender');
      }
      // ASK1/ASK2: the person already chose this time (their one decision), or their rule for this
      // contact accepts an offered time without asking: accepted at once, audited like any acceptance.
      if (s.decided || s.policy.autoAccept) {
        return acceptProposal(
          accepted({
            proposal: { messageId: m.messageId, slot: { ...m.slot }, participants: m.participants },
            pendingApproval: null,
            acceptId: null,
          }),
          now,
        );
      }
      const request = approval(
        s,
        { kind: 'accept', negotiationId: s.negotiationId, slot: m.slot, participants: m.participants },
        now,
      );
      return {
        state: accepted({
          phase: 'approving_accept',
          proposal: { messageId: m.messageId, slot: { ...m.slot }, participants: m.participants },
          pendingApproval: request,
          acceptId: null,
        }),
        effects: [{ kind: 'request_approval', request }],
      };
    }
    case 'CONFIRMATION': {
      if (m.phase !== 'booked' || s.phase !== 'accepted' || !s.proposal || !s.outbox) {
        return reject(s, 'unexpected_message');
      }
      if (m.inReplyTo !== s.outbox.message.messageId) return reject(s, 'not_in_reply');
      if (!sameSlot(m.slot, s.proposal.slot)) return reject(s, 'slot_not_offered');
      let plan = planBooking({
        negotiationId: s.negotiationId,
        slot: s.proposal.slot,
        organizer: s.organizer,
        attendees: s.proposal.participants,
        title: '',
      });
      if (m.eventId !== plan.eventId) return reject(s, 'not_in_reply');
      // ADP1: the organizer's calendar chose the iCalUID; the invitee looks its invitation up by it.
      if (m.iCalUID !== undefined) plan = { ...plan, iCalUID: m.iCalUID };
      return {
        state: accepted({
          phase: 'booked',
          booking: { eventId: plan.eventId, iCalUID: plan.iCalUID, slot: plan.slot },
          outbox: null,
        }),
        effects: [
          { kind: 'ensure_invitation', plan },
          {
            kind: 'outcome',
            negotiationId: s.negotiationId,
            outcome: { status: 'booked', slot: plan.slot, eventId: plan.eventId },
          },
        ],
      };
    }
    case 'CANCEL': {
      if (!isOpen(s.phase) && s.phase !== 'booked') return reject(s, 'closed');
      return {
        state: accepted({ phase: 'cancelled', pendingApproval: null, outbox: null }),
        effects: [
          audit(s, 'cancelled', s.booking ? [s.booking.slot] : [], now),
          ...(s.booking ? [cancelEvent(s)] : []),
          {
            kind: 'outcome',
            negotiationId: s.negotiationId,
            outcome: { status: 'cancelled', by: s.organizer },
          },
        ],
      };
    }
    case 'REJECTION': {
      // The organizer gave up (e.g. someone else declined): close quietly.
      if (!isOpen(s.phase)) return reject(s, 'closed');
      return {
        state: accepted({ phase: 'cancelled', pendingApproval: null, outbox: null }),
        effects: [
          ...(s.booking ? [cancelEvent(s)] : []),
          {
            kind: 'outcome',
            negotiationId: s.negotiationId,
            outcome: { status: 'cancelled', by: s.organizer },
          },
        ],
      };
    }
    case 'RESPONSE':
    case 'COUNTER_PROPOSAL':
      return reject(s, 'unexpected_message');
  }
}
