/**
 * One negotiation, seen by the organizer's agent, with N participants. Pure, like the participant
 * machine: step(state, event, now) → { state, effects }.
 *
 *  start ─▶ checking ──availability──▶ querying ──all RESPONSEs──▶ decide
 *                                        ▲   │                        │
 *                        QUERY round+1 ──┘   │ REJECTION / expiry      ├─ common slot ─▶ approving
 *                        (no common slot,    ▼                        │                  │   │
 *                         rounds left)     failed ◀── no slot, no rounds left            │ decline ─▶ failed
 *                                                                                         approve
 *                                                                                          ▼
 *            COUNTER_PROPOSAL (→ decide again) ◀──────────────────────────────────── proposing
 *                                                                                          │ all CONFIRMATION(accept)
 *                                                                                          ▼
 *                                         failed ◀── booking_failed ── booking ──booked──▶ booked
 *                                                                                          │
 *        any open phase or booked ── cancel / peer CANCEL ──▶ cancelled     reschedule ─▶ checking
 *
 * Every participant has a thread: what they offered, their status, the last message we sent them
 * (resent on a timer until they answer), and what we have seen from them. A message belongs to the thread
 * of the sender the channel authenticated (NEG13); a participant's RESCHEDULE never asks for more than the
 * person did (NEG15).
 */
import { type ApprovalRequest, checkApproval, createApprovalRequest } from './approvals';
import { type BookingPlan, planBooking } from './booking';
import { DAY, type Interval, MINUTE, covers, intersect, intersectAll, normalize } from './interval';
import { coarseHours, slotsIn } from './disclosure';
import { LIMITS, type Message, type PeerText, asPeerText, onGrid } from './messages';
import { SchedulingError } from './errors';
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
  CONVERGE_ROUNDS,
  DEFAULT_FOLLOW_UP_MS,
  DEFAULT_TIMING,
  type Effect,
  type FailureReason,
  type Inbox,
  type NegotiationEvent,
  type NegotiationTiming,
  type Outbox,
  type StepResult,
} from './negotiation-types';

export type OrganizerPhase =
  'checking' | 'querying' | 'approving' | 'proposing' | 'booking' | 'booked' | 'failed' | 'cancelled';

export type ThreadStatus = 'waiting' | 'responded' | 'proposed' | 'accepted' | 'declined' | 'no_overlap';

export interface PeerThread {
  readonly agent: string;
  readonly status: ThreadStatus;
  /** Slots this participant offered (RESPONSEs and counter-proposals), in their order. */
  readonly offered: readonly Interval[];
  /** The id of our current QUERY/RESCHEDULE or PROPOSAL to them. */
  readonly askId: string | null;
  readonly lastReplyId: string | null;
  readonly acceptId: string | null;
  readonly inbox: Inbox;
  readonly outbox: Outbox | null;
  /** SIL1: when our current ask went out, when we last heard anything from them, and our follow-up. */
  readonly askedAt?: number;
  readonly lastHeardAt?: number;
  readonly followedUpAt?: number;
  /** CNV2: candidate times asked of them this negotiation, and those they could not take. */
  readonly asked?: readonly Interval[];
  readonly declinedSlots?: readonly Interval[];
  /** ASK3: the note their person sent with a counter-proposal (peer text, shown as text only). */
  readonly note?: PeerText;
  /** CNV6: their meeting hours inside ours, as they answered the first round (coarse). */
  readonly hours?: readonly Interval[];
}

export interface OrganizerState {
  readonly role: 'organizer';
  readonly negotiationId: string;
  readonly self: string;
  readonly phase: OrganizerPhase;
  readonly request: {
    readonly window: Interval;
    readonly durationMin: number;
    readonly title: string;
    /**
     * How long the person let the negotiation run (`expiresAt − now` when they started or last
     * rescheduled it): a participant's RESCHEDULE gets no longer (NEG15). Absent in states stored before
     * it existed: the window's span stands in.
     */
    readonly lifetimeMs?: number;
    /**
     * ASK1: the person consented to the request itself, which covers proposing and booking any slot inside
     * it: no further approval is asked, and the organizer converges on candidate times (CNV).
     */
    readonly consented?: boolean;
  };
  readonly threads: readonly PeerThread[];
  readonly generation: number;
  readonly round: number;
  readonly proposalRound: number;
  readonly ownFree: readonly Interval[];
  readonly ownRanked: readonly Interval[];
  /** CNV6: the organizer's own meeting hours in the window; absent: the whole window. */
  readonly ownHours?: readonly Interval[];
  readonly proposal: Interval | null;
  readonly pendingApproval: ApprovalRequest | null;
  readonly booking: BookingPlan | null;
  readonly seq: number;
  readonly expiresAt: number;
  readonly timing: NegotiationTiming;
}

const OPEN: readonly OrganizerPhase[] = ['checking', 'querying', 'approving', 'proposing', 'booking'];

export function startNegotiation(input: {
  negotiationId: string;
  self: string;
  participants: readonly string[];
  window: Interval;
  durationMin: number;
  title: string;
  expiresAt: number;
  now: number;
  timing?: NegotiationTiming;
  consent?: boolean;
}): StepResult<OrganizerState> {
  const peers = [...new Set(input.participants)].filter((p) => p !== input.self).sort();
  if (peers.length === 0 || peers.length > LIMITS.maxParticipants - 1) {
    throw new SchedulingError('invalid_request', 'A negotiation needs 1–19 other participants.');
  }
  const w = input.window;
  if (!(Number.isInteger(w.start) && Number.isInteger(w.end) && w.start < w.end)) {
    throw new SchedulingError('invalid_window', 'The search window needs integer epoch ms with start < end.');
  }
  // NEG14: the bounds every peer holds our messages to, so we never start what they must refuse.
  const horizon = input.now + LIMITS.horizonDays * DAY;
  if (
    w.end - w.start > LIMITS.maxWindowDays * DAY ||
    w.end > horizon ||
    input.expiresAt <= input.now ||
    input.expiresAt > horizon
  ) {
    throw new SchedulingError(
      'invalid_window',
      'Search at most 120 days ahead, with an expiry in the future and at most 120 days away.',
    );
  }
  if (!Number.isInteger(input.durationMin) || input.durationMin < 5 || input.durationMin > 1_440) {
    throw new SchedulingError('invalid_request', 'durationMin must be a whole number of minutes, 5–1440.');
  }
  const state: OrganizerState = {
    role: 'organizer',
    negotiationId: input.negotiationId,
    self: input.self,
    phase: 'checking',
    request: {
      window: input.window,
      durationMin: input.durationMin,
      title: input.title,
      lifetimeMs: input.expiresAt - input.now,
      ...(input.consent ? { consented: true } : {}),
    },
    threads: peers.map((agent) => ({
      agent,
      status: 'waiting',
      offered: [],
      askId: null,
      lastReplyId: null,
      acceptId: null,
      inbox: EMPTY_INBOX,
      outbox: null,
    })),
    generation: 1,
    round: 1,
    proposalRound: 0,
    ownFree: [],
    ownRanked: [],
    proposal: null,
    pendingApproval: null,
    booking: null,
    seq: 0,
    expiresAt: input.expiresAt,
    timing:
      input.timing ?? (input.consent ? { ...DEFAULT_TIMING, maxRounds: CONVERGE_ROUNDS } : DEFAULT_TIMING),
  };
  return { state, effects: [needAvailability(state)] };
}

function needAvailability(s: OrganizerState): Effect {
  return {
    kind: 'need_availability',
    negotiationId: s.negotiationId,
    window: s.request.window,
    durationMin: s.request.durationMin,
    counterpart: s.self,
  };
}

const everyone = (s: OrganizerState) => [s.self, ...s.threads.map((t) => t.agent)].sort();

/** Sends one message per thread (patching each thread), threading seq numbers through. */
function broadcast(
  s: OrganizerState,
  now: number,
  pick: (t: PeerThread) => boolean,
  make: (t: PeerThread) => { body: MessageBody; inReplyTo: string | null; patch: Partial<PeerThread> },
): { state: OrganizerState; effects: Effect[] } {
  let seq = s.seq;
  const effects: Effect[] = [];
  const threads = s.threads.map((t) => {
    if (!pick(t)) return t;
    const { body, inReplyTo, patch } = make(t);
    const message = compose({ ...s, seq }, body, now);
    seq++;
    effects.push({ kind: 'send', to: t.agent, message });
    return {
      ...t,
      ...patch,
      outbox: { message, inReplyTo, retryAt: now + s.timing.retryMs, retries: 0 },
    };
  });
  return { state: { ...s, seq, threads }, effects };
}

function sendAsk(s: OrganizerState, now: number): StepResult<OrganizerState> {
  const reschedule = s.generation > 1 && s.round === 1;
  // CNV6: a converging negotiation first asks only when everyone could meet at all (hours, no free time).
  const hours = converge(s) && s.round === 1 ? coarseHours(hoursOf(s), s.request.window) : null;
  const pool = converge(s) && !hours ? candidatesFor(s) : null;
  const told: Effect[] = [];
  const r = broadcast(
    { ...s, phase: 'querying' },
    now,
    () => true,
    (t) => {
      const declined = t.declinedSlots ?? [];
      const candidates = pool?.filter((c) => !containsSlot(declined, c));
      if (candidates && candidates.length > 0) told.push(disclosed(s, t.agent, candidates, now));
      if (hours && hours.length > 0) told.push(disclosed(s, t.agent, [], now, hours));
      return {
        body: reschedule
          ? {
              type: 'RESCHEDULE',
              window: s.request.window,
              durationMin: s.request.durationMin,
              ...(hours ? { hours } : {}),
            }
          : {
              type: 'QUERY',
              round: s.round,
              window: s.request.window,
              durationMin: s.request.durationMin,
              participants: everyone(s),
              ...(s.request.title ? { title: asPeerText(s.request.title) } : {}),
              ...(candidates ? { candidates } : {}),
              ...(hours ? { hours } : {}),
            },
        inReplyTo: null,
        patch: {
          status: 'waiting',
          acceptId: null,
          askedAt: now,
          ...(candidates ? { asked: addSlots(t.asked ?? [], candidates) } : {}),
        },
      };
    },
  );
  // askId is the id of the message just composed for each thread.
  const threads = r.state.threads.map((t) => ({ ...t, askId: t.outbox!.message.messageId }));
  return { state: { ...r.state, threads }, effects: [...r.effects, ...told] };
}

/** ASK1: the person consented to the request; the organizer converges on candidates (CNV). */
const converge = (s: OrganizerState) => s.request.consented === true;

/** CNV6: the organizer's meeting hours, or the whole window when the calendar port does not tell them. */
const hoursOf = (s: OrganizerState): Interval[] => normalize(s.ownHours ?? [s.request.window]);

/**
 * CNV8: candidate times per round (rounds 2 on; round 1 asks for hours): two at first — each one tells the
 * organizer's free time, and one common time is enough — then twice as many each round, at most 20, so the
 * search space is covered in the rounds there are.
 */
export const candidatesPerRound = (round: number) =>
  Math.min(LIMITS.maxCandidates, 2 * 2 ** Math.max(0, round - 2));

function addSlots(list: readonly Interval[], more: readonly Interval[]): Interval[] {
  return [
    ...list,
    ...more.filter((x) => !containsSlot(list, x)).map((x) => ({ start: x.start, end: x.end })),
  ];
}

/**
 * DIS4: the organizer's candidates tell the participant when the organizer is free, its hours when it could
 * meet: audited as such.
 */
function disclosed(
  s: OrganizerState,
  to: string,
  slots: readonly Interval[],
  now: number,
  hours?: readonly Interval[],
): Effect {
  return {
    kind: 'audit',
    entry: {
      at: now,
      negotiationId: s.negotiationId,
      action: 'disclosed',
      counterparts: [to],
      slots,
      ...(hours ? { hours } : {}),
    },
  };
}

const CANDIDATE_GRID_MIN = 30;

/**
 * CNV8: what is left to ask: the organizer's free slots (30-minute grid) inside everyone's hours (CNV6), less
 * every time a participant could not take and every time all of them already offered.
 */
function searchSpace(s: OrganizerState): Interval[] {
  const w = s.request.window;
  const common = intersectAll([hoursOf(s), ...s.threads.map((t) => normalize(t.hours ?? [w])), [w]]);
  const space = intersect(normalize(s.ownFree), common);
  return slotsIn(space, s.request.durationMin, CANDIDATE_GRID_MIN).filter(
    (x) =>
      x.start % (LIMITS.wireGridMin * MINUTE) === 0 &&
      !s.threads.some((t) => containsSlot(t.declinedSlots ?? [], x)) &&
      !s.threads.every((t) => containsSlot(t.offered, x)),
  );
}

/**
 * CNV5/CNV8: how far a time sits from the middle of someone's stretch of hours that holds it, 0 (the middle)
 * to 1 (an edge): the organizer's own hours, and the hours each participant answered (CNV6).
 */
function offCentre(hours: readonly Interval[], x: Interval): number {
  const mid = (x.start + x.end) / 2;
  const h = hours.find((r) => r.start <= x.start && x.end <= r.end);
  if (!h) return 1;
  const half = (h.end - h.start) / 2;
  return half > 0 ? Math.min(1, Math.abs(mid - (h.start + h.end) / 2) / half) : 0;
}

/**
 * CNV8: the round's candidates, from the search space: fairest first (CNV5: the time whose worst-placed
 * person, by where it sits in their hours, is best placed; then the organizer's own ranking), one per day
 * before a second on any day, so a busy day does not take the whole round.
 */
function candidatesFor(s: OrganizerState): Interval[] {
  const k = candidatesPerRound(s.round);
  const rank = new Map(s.ownRanked.map((x, i) => [x.start, i]));
  const w = s.request.window;
  const lists = [hoursOf(s), ...s.threads.map((t) => normalize(t.hours ?? [w]))];
  const worst = new Map<number, number>();
  const space = searchSpace(s);
  for (const x of space) worst.set(x.start, Math.max(...lists.map((l) => offCentre(l, x))));
  space.sort(
    (a, b) =>
      worst.get(a.start)! - worst.get(b.start)! ||
      (rank.get(a.start) ?? 1e9) - (rank.get(b.start) ?? 1e9) ||
      a.start - b.start,
  );
  const out: Interval[] = [];
  const days = new Set<number>();
  for (const x of space) {
    if (out.length >= k) break;
    const day = Math.floor(x.start / DAY);
    if (days.has(day)) continue;
    days.add(day);
    out.push(x);
  }
  for (const x of space) {
    if (out.length >= k) break;
    if (!containsSlot(out, x)) out.push(x);
  }
  return out;
}

/**
 * CNV7/CNV8: no common time — said at once, with who shares no free time with the organizer inside everyone's
 * hours (`no_overlap`) and who does but not with the others (`no_common_slot`).
 */
function noCommonTime(
  s: OrganizerState,
  now: number,
  exhausted: string | null = null,
): StepResult<OrganizerState> {
  const ownFree = normalize(s.ownFree);
  const w = s.request.window;
  const reasons = s.threads.map((t) => ({
    participant: t.agent,
    reason: (t.agent === exhausted ||
    slotsIn(intersect(ownFree, normalize(t.hours ?? [w])), s.request.durationMin, CANDIDATE_GRID_MIN, 1)
      .length === 0
      ? 'no_overlap'
      : 'no_common_slot') as FailureReason,
  }));
  return fail(s, reasons, now, () => true);
}

function fail(
  s: OrganizerState,
  reasons: { participant: string; reason: FailureReason }[],
  now: number,
  notify: (t: PeerThread) => boolean,
): StepResult<OrganizerState> {
  const r = broadcast(s, now, notify, () => ({ body: { type: 'CANCEL' }, inReplyTo: null, patch: {} }));
  const told = new Set(s.threads.filter(notify).map((t) => t.agent));
  // NEG19: a reschedule that found no new time takes the old meeting with it. INT3: so does a booking
  // that failed, in case an earlier attempt wrote the event before its worker died (INT2).
  const rescheduled: Effect[] =
    s.booking && (s.generation > 1 || s.phase === 'booking')
      ? [{ kind: 'cancel_event', eventId: s.booking.eventId, iCalUID: s.booking.iCalUID }]
      : [];
  return {
    state: {
      ...r.state,
      phase: 'failed',
      pendingApproval: null,
      // NEG21: the CANCELs are resent on ticks; nothing else is.
      threads: r.state.threads.map((t) => ({ ...t, outbox: told.has(t.agent) ? t.outbox : null })),
    },
    effects: [
      ...r.effects,
      ...rescheduled,
      { kind: 'outcome', negotiationId: s.negotiationId, outcome: { status: 'failed', reasons } },
    ],
  };
}

/**
 * All threads answered: find the organizer's best-ranked slot that every participant offered and the
 * organizer is free for (MPT rules), or widen, or fail with a reason per participant.
 */
function decide(s: OrganizerState, now: number): StepResult<OrganizerState> {
  if (s.threads.some((t) => t.status === 'waiting')) return { state: s, effects: [] };
  if (converge(s)) return decideConverging(s, now);
  const empty = s.threads.filter((t) => t.status === 'no_overlap');
  if (empty.length > 0) {
    return fail(
      s,
      empty.map((t) => ({ participant: t.agent, reason: 'no_overlap' })),
      now,
      (t) => t.status !== 'no_overlap',
    );
  }
  const ownFree = normalize(s.ownFree);
  const rank = new Map(s.ownRanked.map((x, i) => [x.start, i]));
  const first = s.threads[0];
  const common = (first?.offered ?? [])
    .filter((slot) => s.threads.every((t) => containsSlot(t.offered, slot)))
    .filter((slot) => covers(ownFree, slot.start, slot.end))
    .sort((a, b) => (rank.get(a.start) ?? 1e9) - (rank.get(b.start) ?? 1e9) || a.start - b.start);
  const best = converge(s) ? fairest(s, common) : common[0];
  if (best && s.proposalRound < s.timing.maxRounds && converge(s))
    return propose({ ...s, proposal: best }, now);
  if (best && s.proposalRound < s.timing.maxRounds) {
    const request = createApprovalRequest(
      { kind: 'book', negotiationId: s.negotiationId, slot: best, participants: everyone(s) },
      now,
      Math.min(s.timing.approvalTtlMs, Math.max(1, s.expiresAt - now)),
    );
    return {
      state: { ...s, phase: 'approving', pendingApproval: request, proposal: best },
      effects: [{ kind: 'request_approval', request }],
    };
  }
  if (!best && s.round < s.timing.maxRounds) return sendAsk({ ...s, round: s.round + 1 }, now);
  const reasons = s.threads.map((t) => ({
    participant: t.agent,
    reason: (t.offered.some((x) => covers(ownFree, x.start, x.end))
      ? 'no_common_slot'
      : 'no_overlap') as FailureReason,
  }));
  return fail(s, reasons, now, () => true);
}

/**
 * CNV6–CNV8: everyone answered. A time all of them offered (and the organizer is free for): the fairest is
 * proposed (CNV5). Otherwise the next round asks the next candidates from the search space; when that space
 * is empty (or the rounds are used up) the negotiation ends at once with "no common time".
 */
function decideConverging(s: OrganizerState, now: number): StepResult<OrganizerState> {
  const ownFree = normalize(s.ownFree);
  const common = (s.threads[0]?.offered ?? [])
    .filter((slot) => s.threads.every((t) => containsSlot(t.offered, slot)))
    .filter((slot) => covers(ownFree, slot.start, slot.end));
  const best = fairest(s, common);
  if (best && s.proposalRound < s.timing.maxRounds) return propose({ ...s, proposal: best }, now);
  if (!best && s.round < s.timing.maxRounds && searchSpace(s).length > 0)
    return sendAsk({ ...s, round: s.round + 1 }, now);
  return noCommonTime(s, now);
}

/**
 * CNV5: among the common times, the one whose least-pleased person is least displeased: each participant
 * listed its times best first by its own ranking (its meeting hours, time zone and stated preferences), the
 * organizer's are ranked by its own; a time's cost for a person is its place in their list (0 best, 1
 * worst), and the time with the lowest worst cost wins, then the lowest total, then the earlier start.
 */
function fairest(s: OrganizerState, common: readonly Interval[]): Interval | undefined {
  const place = (list: readonly Interval[], x: Interval) => {
    const i = list.findIndex((y) => sameSlot(x, y));
    return i < 0 ? 1 : list.length <= 1 ? 0 : i / (list.length - 1);
  };
  const own = s.ownRanked.filter((x) => common.some((y) => sameSlot(x, y)));
  const costs = (x: Interval) => [
    place(own, x),
    ...s.threads.map((t) =>
      place(
        t.offered.filter((y) => containsSlot(common, y)),
        x,
      ),
    ),
  ];
  let best: { slot: Interval; worst: number; sum: number } | undefined;
  for (const slot of common) {
    const c = costs(slot);
    const worst = Math.max(...c);
    const sum = c.reduce((a, b) => a + b, 0);
    if (
      !best ||
      worst < best.worst - 1e-9 ||
      (Math.abs(worst - best.worst) <= 1e-9 &&
        (sum < best.sum - 1e-9 || (Math.abs(sum - best.sum) <= 1e-9 && slot.start < best.slot.start)))
    ) {
      best = { slot, worst, sum };
    }
  }
  return best?.slot;
}

/** Sends the PROPOSAL for `s.proposal` to everyone (after the person's approval, or under their consent). */
function propose(s: OrganizerState, now: number): StepResult<OrganizerState> {
  const slot = s.proposal!;
  const r = broadcast(
    { ...s, phase: 'proposing', pendingApproval: null, proposalRound: s.proposalRound + 1 },
    now,
    () => true,
    (t) => ({
      body: {
        type: 'PROPOSAL',
        slot: { ...slot },
        participants: everyone(s),
        ...(s.request.title ? { title: asPeerText(s.request.title) } : {}),
      },
      inReplyTo: t.lastReplyId,
      patch: { status: 'proposed', acceptId: null, askedAt: now },
    }),
  );
  const threads = r.state.threads.map((t) => ({ ...t, askId: t.outbox!.message.messageId }));
  return {
    state: { ...r.state, threads },
    effects: [
      ...r.effects,
      {
        kind: 'audit',
        entry: {
          at: now,
          negotiationId: s.negotiationId,
          action: 'proposed',
          counterparts: everyone(s),
          slots: [slot],
        },
      },
    ],
  };
}

function replace(s: OrganizerState, t: PeerThread): OrganizerState {
  return { ...s, threads: s.threads.map((x) => (x.agent === t.agent ? t : x)) };
}

export function organizerStep(
  s: OrganizerState,
  e: NegotiationEvent,
  now: number,
): StepResult<OrganizerState> {
  switch (e.type) {
    case 'message':
      return onMessage(s, e.from, e.message, now);
    case 'availability': {
      if (s.phase !== 'checking') return reject(s, 'unexpected_event');
      return sendAsk(
        {
          ...s,
          ownFree: e.free.map((x) => ({ start: x.start, end: x.end })),
          ownRanked: e.ranked.map((x) => ({ start: x.start, end: x.end })),
          ...(e.hours ? { ownHours: e.hours.map((x) => ({ start: x.start, end: x.end })) } : {}),
        },
        now,
      );
    }
    case 'approval': {
      if (s.phase !== 'approving') return reject(s, 'no_pending_approval');
      const check = checkApproval(s.pendingApproval, e, now);
      if (!check.ok) return reject(s, check.code);
      if (!check.approved) {
        return fail(s, [{ participant: s.self, reason: 'organizer_declined' }], now, () => true);
      }
      return propose(s, now);
    }
    case 'booked': {
      if (s.phase !== 'booking' || !s.booking || e.eventId !== s.booking.eventId)
        return reject(s, 'unexpected_event');
      // ATT3: the confirmation names the event by the iCalUID the organizer's calendar gave it.
      const plan = e.iCalUID !== undefined ? { ...s.booking, iCalUID: e.iCalUID } : s.booking;
      const r = broadcast(
        { ...s, phase: 'booked', booking: plan },
        now,
        () => true,
        (t) => ({
          body: {
            type: 'CONFIRMATION',
            inReplyTo: t.acceptId!,
            slot: { ...plan.slot },
            phase: 'booked',
            eventId: plan.eventId,
            iCalUID: plan.iCalUID,
          },
          inReplyTo: t.acceptId,
          patch: {},
        }),
      );
      return {
        state: r.state,
        effects: [
          ...r.effects,
          {
            kind: 'audit',
            entry: {
              at: now,
              negotiationId: s.negotiationId,
              action: 'booked',
              counterparts: everyone(s),
              slots: [plan.slot],
            },
          },
          {
            kind: 'outcome',
            negotiationId: s.negotiationId,
            outcome: { status: 'booked', slot: plan.slot, eventId: plan.eventId },
          },
        ],
      };
    }
    case 'booking_failed':
      if (s.phase !== 'booking') return reject(s, 'unexpected_event');
      return fail(s, [{ participant: s.self, reason: 'booking_failed' }], now, () => true);
    case 'cancel': {
      if (!OPEN.includes(s.phase) && s.phase !== 'booked') return reject(s, 'closed');
      return cancelAll(s, now, s.self, () => true);
    }
    case 'reschedule': {
      // The person's own request: their window, duration and lifetime become the new bounds (NEG15).
      if (s.phase !== 'booked') return reject(s, 'unexpected_event');
      const expiresAt = Math.min(e.expiresAt, now + LIMITS.horizonDays * DAY);
      return restart(
        s,
        { ...s.request, window: e.window, durationMin: e.durationMin, lifetimeMs: expiresAt - now },
        expiresAt,
        now,
      );
    }
    case 'tick':
      return onTick(s, now);
    case 'counter':
    case 'decline':
      return reject(s, 'unexpected_event');
  }
}

function restart(
  s: OrganizerState,
  request: OrganizerState['request'],
  expiresAt: number,
  now: number,
): StepResult<OrganizerState> {
  const next: OrganizerState = {
    ...s,
    phase: 'checking',
    request,
    generation: s.generation + 1,
    round: 1,
    proposalRound: 0,
    proposal: null,
    pendingApproval: null,
    expiresAt: Math.max(s.expiresAt, expiresAt),
    threads: s.threads.map((t) => ({
      ...t,
      status: 'waiting',
      offered: [],
      askId: null,
      acceptId: null,
      outbox: null,
      asked: [],
      declinedSlots: [],
    })),
  };
  return {
    state: next,
    effects: [
      needAvailability(next),
      {
        kind: 'audit',
        entry: {
          at: now,
          negotiationId: s.negotiationId,
          action: 'rescheduled',
          counterparts: everyone(s),
          slots: [],
        },
      },
    ],
  };
}

function cancelAll(
  s: OrganizerState,
  now: number,
  by: string,
  notify: (t: PeerThread) => boolean,
): StepResult<OrganizerState> {
  const r = broadcast(s, now, notify, () => ({ body: { type: 'CANCEL' }, inReplyTo: null, patch: {} }));
  const told = new Set(s.threads.filter(notify).map((t) => t.agent));
  const effects: Effect[] = [...r.effects];
  if (s.booking && (s.phase === 'booked' || s.generation > 1)) {
    effects.push({ kind: 'cancel_event', eventId: s.booking.eventId, iCalUID: s.booking.iCalUID });
  }
  effects.push(
    {
      kind: 'audit',
      entry: {
        at: now,
        negotiationId: s.negotiationId,
        action: 'cancelled',
        counterparts: everyone(s),
        slots: s.booking ? [s.booking.slot] : [],
      },
    },
    { kind: 'outcome', negotiationId: s.negotiationId, outcome: { status: 'cancelled', by } },
  );
  return {
    state: {
      ...r.state,
      phase: 'cancelled',
      pendingApproval: null,
      // NEG21: the CANCELs are resent on ticks; nothing else is.
      threads: r.state.threads.map((t) => ({ ...t, outbox: told.has(t.agent) ? t.outbox : null })),
    },
    effects,
  };
}

function onTick(s: OrganizerState, now: number): StepResult<OrganizerState> {
  // Not while booking: the calendar write is in flight and its result must still land.
  if (OPEN.includes(s.phase) && s.phase !== 'booking' && now >= s.expiresAt) {
    const reasons = s.threads.map((t) => ({
      participant: t.agent,
      reason: (t.status === 'waiting' || t.status === 'proposed' ? 'timed_out' : 'expired') as FailureReason,
    }));
    if (s.phase === 'approving') reasons.push({ participant: s.self, reason: 'timed_out' });
    return fail(s, reasons, now, () => true);
  }
  if (s.phase === 'cancelled' || s.phase === 'failed') return resendCancels(s, now);
  if (!OPEN.includes(s.phase)) return { state: s, effects: [] };
  const effects: Effect[] = [];
  const followUpMs = s.timing.followUpMs ?? DEFAULT_FOLLOW_UP_MS;
  const threads = s.threads.map((t) => {
    const o = t.outbox;
    const waiting = t.status === 'waiting' || t.status === 'proposed';
    // SIL1: one follow-up once they have been silent for followUpMs since we asked.
    const followUp =
      o &&
      waiting &&
      t.askedAt !== undefined &&
      t.followedUpAt === undefined &&
      now >= t.askedAt + followUpMs;
    if (followUp) {
      effects.push({ kind: 'send', to: t.agent, message: o.message });
      return { ...t, followedUpAt: now, outbox: { ...o, retryAt: now + s.timing.retryMs } };
    }
    if (!o || !waiting || now < o.retryAt || o.retries >= s.timing.maxRetries) return t;
    effects.push({ kind: 'send', to: t.agent, message: o.message });
    return { ...t, outbox: { ...o, retryAt: now + s.timing.retryMs, retries: o.retries + 1 } };
  });
  return effects.length > 0 ? { state: { ...s, threads }, effects } : { state: s, effects: [] };
}

/** NEG21: the CANCEL each told participant has not been sent often enough yet goes again. */
function resendCancels(s: OrganizerState, now: number): StepResult<OrganizerState> {
  const effects: Effect[] = [];
  const threads = s.threads.map((t) => {
    const o = t.outbox;
    if (!cancelToResend(o) || now < o.retryAt) return t;
    effects.push({ kind: 'send', to: t.agent, message: o.message });
    return { ...t, outbox: cancelResent(o, now, s.timing.retryMs) };
  });
  return effects.length > 0 ? { state: { ...s, threads }, effects } : { state: s, effects: [] };
}

/**
 * CNV4/CNV8: the candidates of this round a participant could not take: every one its answer leaves out,
 * unless it said `more` (some that fit were left out for its budget: nothing is concluded, they are asked
 * again).
 */
function couldNotTake(t: PeerThread, answer: readonly Interval[], more: boolean): Partial<PeerThread> {
  const round = t.outbox?.message.type === 'QUERY' ? (t.outbox.message.candidates ?? null) : null;
  if (!round || more) return {};
  const no = round.filter((c) => !containsSlot(answer, c) && !containsSlot(t.offered, c));
  return { declinedSlots: addSlots(t.declinedSlots ?? [], no) };
}

/** NEG6 and NEG16: the asked duration, inside the asked window, on the grid the offer declares. */
function validOffer(s: OrganizerState, slots: readonly Interval[], gridMin: number): boolean {
  const d = s.request.durationMin * MINUTE;
  return (
    onGrid(slots, gridMin) &&
    slots.every(
      (x) => x.end - x.start === d && x.start >= s.request.window.start && x.end <= s.request.window.end,
    )
  );
}

/**
 * NEG15: a participant's RESCHEDULE, held to what the person asked for — the same duration, a window no
 * longer than theirs and starting no earlier than now, and no longer a life than they gave the
 * negotiation. Null when nothing of it fits.
 */
function boundedReschedule(
  s: OrganizerState,
  m: Extract<Message, { type: 'RESCHEDULE' }>,
  now: number,
): { request: OrganizerState['request']; expiresAt: number } | null {
  const r = s.request;
  if (m.durationMin !== r.durationMin) return null;
  const span = r.window.end - r.window.start;
  const start = Math.max(m.window.start, now);
  const end = Math.min(m.window.end, start + span);
  if (end - start < r.durationMin * MINUTE) return null;
  const lifetime = r.lifetimeMs ?? span;
  return { request: { ...r, window: { start, end } }, expiresAt: Math.min(m.expiresAt, now + lifetime) };
}

function onMessage(s: OrganizerState, from: string, raw: Message, now: number): StepResult<OrganizerState> {
  // NEG13: checked again as off the wire; the thread is the authenticated sender's, never a claimed one.
  const checked = admit(from, raw, now);
  if (!checked.ok) return reject(s, checked.code);
  const m = checked.message;
  if (m.negotiationId !== s.negotiationId) return reject(s, 'wrong_negotiation');
  const t = s.threads.find((x) => x.agent === from);
  if (!t) return reject(s, 'unknown_sender');
  const screened = screen(t.inbox, t.outbox, from, m, now);
  if (screened) return reject(s, screened.code, screened.effects);
  const seen = (patch: Partial<PeerThread>): PeerThread => ({
    ...t,
    ...patch,
    lastHeardAt: now,
    inbox: remember(t.inbox, m, s.timing),
  });

  switch (m.type) {
    case 'HEARTBEAT':
    case 'HANDSHAKE':
      return { state: replace(s, seen({})), effects: [] };
    case 'RESPONSE': {
      if (s.phase !== 'querying' || t.status !== 'waiting') return reject(s, 'unexpected_message');
      if (m.inReplyTo !== t.askId) return reject(s, 'not_in_reply');
      if (!validOffer(s, m.slots, m.granularityMin)) return reject(s, 'invalid_slot');
      const fresh = m.slots
        .filter((x) => !containsSlot(t.offered, x))
        .map((x) => ({ start: x.start, end: x.end }));
      const o = t.outbox?.message;
      const askedHours = (o?.type === 'QUERY' || o?.type === 'RESCHEDULE') && o.hours !== undefined;
      const next = seen({
        status:
          m.exhausted || (!converge(s) && m.slots.length === 0 && t.offered.length === 0)
            ? 'no_overlap'
            : 'responded',
        offered: [...t.offered, ...fresh],
        lastReplyId: m.messageId,
        outbox: t.outbox ? { ...t.outbox, inReplyTo: null } : null,
        ...(askedHours && m.hours ? { hours: m.hours.map((x) => ({ start: x.start, end: x.end })) } : {}),
        ...couldNotTake(t, m.slots, m.more === true),
      });
      // CNV7: a participant with nothing to offer inside its rules ends the negotiation at once.
      if (m.exhausted && converge(s)) return noCommonTime(replace(s, next), now, t.agent);
      return decide(replace(s, next), now);
    }
    case 'CONFIRMATION': {
      if (m.phase !== 'accept' || s.phase !== 'proposing' || t.status !== 'proposed')
        return reject(s, 'unexpected_message');
      if (m.inReplyTo !== t.askId) return reject(s, 'not_in_reply');
      if (!s.proposal || !sameSlot(m.slot, s.proposal)) return reject(s, 'slot_not_offered');
      const after = replace(s, seen({ status: 'accepted', acceptId: m.messageId, lastReplyId: m.messageId }));
      if (after.threads.some((x) => x.status !== 'accepted')) return { state: after, effects: [] };
      const plan = planBooking({
        negotiationId: s.negotiationId,
        slot: s.proposal,
        organizer: s.self,
        attendees: everyone(s),
        title: s.request.title,
      });
      return {
        state: { ...after, phase: 'booking', booking: plan },
        effects: [{ kind: 'book', plan, mode: s.booking ? 'move' : 'create' }],
      };
    }
    case 'COUNTER_PROPOSAL': {
      // ASK3: the participant's person answered the ask with their own times (and perhaps a note).
      if (s.phase === 'querying' && t.status === 'waiting') {
        if (m.inReplyTo !== t.askId) return reject(s, 'not_in_reply');
        if (!validOffer(s, m.slots, LIMITS.wireGridMin)) return reject(s, 'invalid_slot');
        const next = seen({
          status: 'responded',
          offered: addSlots(t.offered, m.slots),
          lastReplyId: m.messageId,
          outbox: t.outbox ? { ...t.outbox, inReplyTo: null } : null,
          ...(m.note ? { note: m.note } : {}),
        });
        return decide(replace(s, next), now);
      }
      if (s.phase !== 'proposing' || t.status !== 'proposed') return reject(s, 'unexpected_message');
      if (m.inReplyTo !== t.askId) return reject(s, 'not_in_reply');
      if (!validOffer(s, m.slots, LIMITS.wireGridMin)) return reject(s, 'invalid_slot');
      const rejected = s.proposal;
      const offered = [
        ...t.offered.filter((x) => !rejected || !sameSlot(x, rejected)),
        ...m.slots.map((x) => ({ ...x })),
      ];
      const next = replace(
        { ...s, phase: 'querying' },
        seen({
          offered,
          lastReplyId: m.messageId,
          outbox: t.outbox ? { ...t.outbox, inReplyTo: null } : null,
          ...(m.note ? { note: m.note } : {}),
        }),
      );
      // Everyone's earlier acceptance was for the old slot: back to "answered", then decide again.
      return decide(
        { ...next, threads: next.threads.map((x) => ({ ...x, status: 'responded', acceptId: null })) },
        now,
      );
    }
    case 'REJECTION': {
      if (!OPEN.includes(s.phase)) return reject(s, 'closed');
      const reason: FailureReason =
        m.reason === 'no_overlap' || m.reason === 'busy' ? 'no_overlap' : 'declined';
      const next = replace(s, seen({ status: 'declined' }));
      return fail(next, [{ participant: t.agent, reason }], now, (x) => x.agent !== t.agent);
    }
    case 'CANCEL': {
      if (s.phase === 'booked' || (s.phase === 'checking' && s.booking)) {
        // MPT4: the meeting was agreed by all; one dropping out cancels it for everyone.
        return cancelAll(replace(s, seen({ status: 'declined' })), now, t.agent, (x) => x.agent !== t.agent);
      }
      if (!OPEN.includes(s.phase)) return reject(s, 'closed');
      return fail(
        replace(s, seen({ status: 'declined' })),
        [{ participant: t.agent, reason: 'declined' }],
        now,
        (x) => x.agent !== t.agent,
      );
    }
    case 'RESCHEDULE': {
      if (s.phase !== 'booked') return reject(s, 'unexpected_message');
      const bounded = boundedReschedule(s, m, now);
      if (!bounded) return reject(s, 'out_of_bounds');
      return restart(replace(s, seen({})), bounded.request, bounded.expiresAt, now);
    }
    case 'QUERY':
    case 'PROPOSAL':
      return reject(s, 'unexpected_message');
  }
}

/** SIL2: a participant the organizer waits for, and since when it has been silent. */
export interface Waiting {
  readonly agent: string;
  /** When our current ask (query or proposal) went out. */
  readonly askedAt: number;
  /** When we last heard anything from them in this negotiation; absent: never. */
  readonly lastHeardAt?: number;
  /** SIL1: when we followed up; absent: not yet. */
  readonly followedUpAt?: number;
  /** Silent since: the later of our ask and the last we heard from them. */
  readonly silentSince: number;
}

/** SIL2: whom an open negotiation waits for (the UI words it: "waiting for Ben's agent (offline since …)"). */
export function waitingFor(s: OrganizerState): Waiting[] {
  if (s.phase !== 'querying' && s.phase !== 'proposing') return [];
  return s.threads.flatMap((t) => {
    if ((t.status !== 'waiting' && t.status !== 'proposed') || t.askedAt === undefined) return [];
    return [
      {
        agent: t.agent,
        askedAt: t.askedAt,
        ...(t.lastHeardAt !== undefined ? { lastHeardAt: t.lastHeardAt } : {}),
        ...(t.followedUpAt !== undefined ? { followedUpAt: t.followedUpAt } : {}),
        silentSince: Math.max(t.askedAt, t.lastHeardAt ?? t.askedAt),
      },
    ];
  });
}

/** SIL1: when the next follow-up is due, or null. */
export function followUpAt(s: OrganizerState): number | null {
  const due = waitingFor(s)
    .filter((w) => w.followedUpAt === undefined)
    .map((w) => w.askedAt + (s.timing.followUpMs ?? DEFAULT_FOLLOW_UP_MS));
  return due.length > 0 ? Math.min(...due) : null;
}
