import type { ApprovalDecision, ApprovalRequest } from './approvals';
import type { BookingPlan } from './booking';
import type { Interval } from './interval';
import type { Message } from './messages';

/** Tunables; the defaults suit a relay that queues mail for days. */
export interface NegotiationTiming {
  /** Resend the last unanswered message this long after sending it. */
  readonly retryMs: number;
  readonly maxRetries: number;
  readonly approvalTtlMs: number;
  /** Query rounds (1 + widenings) and proposal rounds (1 + counter-proposals). */
  readonly maxRounds: number;
  /** Message ids remembered per peer for de-duplication; older ones fall back to the sequence check. */
  readonly seenIds: number;
  /**
   * SIL1: a participant silent this long after it was asked gets one follow-up, and the organizer's record
   * shows it as waited for. Absent (states stored before it existed): DEFAULT_FOLLOW_UP_MS.
   */
  readonly followUpMs?: number;
}
/** SIL1's default: a day without an answer. */
export const DEFAULT_FOLLOW_UP_MS = 24 * 3_600_000;
export const DEFAULT_TIMING: NegotiationTiming = {
  retryMs: 5 * 60_000,
  maxRetries: 200,
  approvalTtlMs: 24 * 3_600_000,
  maxRounds: 3,
  seenIds: 256,
  followUpMs: DEFAULT_FOLLOW_UP_MS,
};
/** CNV1: query rounds when the organizer converges on candidates (its person consented to the request). */
export const CONVERGE_ROUNDS = 10;

export interface AuditEntry {
  readonly at: number;
  readonly negotiationId: string;
  readonly action:
    'disclosed' | 'proposed' | 'accepted' | 'booked' | 'declined' | 'cancelled' | 'rescheduled';
  /** To whom (disclosed, proposed, accepted) or with whom. */
  readonly counterparts: readonly string[];
  /** Exactly what was shared: slot times, nothing else. */
  readonly slots: readonly Interval[];
  /** CNV6: meeting hours shared (coarse ranges, not free times), when a disclosure told them. */
  readonly hours?: readonly Interval[];
}

export type FailureReason =
  | 'declined'
  | 'no_overlap'
  | 'no_common_slot'
  | 'timed_out'
  | 'organizer_declined'
  | 'booking_failed'
  | 'expired';

/**
 * OUT1: what became of a negotiation, one kind each, the same on the record (`NegotiationRecord.result`),
 * in the action outputs and in the views: booked; declined (by whom); no common time (and who had none
 * with the organizer at all); expired (whom it was still waiting for); cancelled (by whom); failed (why).
 */
export type NegotiationResult =
  | { readonly kind: 'booked'; readonly slot: Interval }
  | { readonly kind: 'declined'; readonly by: readonly string[] }
  | { readonly kind: 'no_common_time'; readonly noOverlap: readonly string[] }
  | { readonly kind: 'expired'; readonly waitingFor: readonly string[] }
  | { readonly kind: 'cancelled'; readonly by: string }
  | { readonly kind: 'failed'; readonly reason: 'booking_failed' };

export const RESULT_KINDS = [
  'booked',
  'declined',
  'no_common_time',
  'expired',
  'cancelled',
  'failed',
] as const satisfies readonly NegotiationResult['kind'][];

/** OUT1: the one kind an outcome is; a decline wins over a timeout, which wins over no common time. */
export function resultOf(o: Outcome): NegotiationResult {
  if (o.status === 'booked') return { kind: 'booked', slot: o.slot };
  if (o.status === 'cancelled') return { kind: 'cancelled', by: o.by };
  const who = (...rs: FailureReason[]) => [
    ...new Set(o.reasons.filter((r) => rs.includes(r.reason)).map((r) => r.participant)),
  ];
  if (who('booking_failed').length > 0) return { kind: 'failed', reason: 'booking_failed' };
  const declined = who('declined', 'organizer_declined');
  if (declined.length > 0) return { kind: 'declined', by: declined };
  const waiting = who('timed_out', 'expired');
  if (waiting.length > 0)
    return { kind: 'expired', waitingFor: who('timed_out').length ? who('timed_out') : waiting };
  return { kind: 'no_common_time', noOverlap: who('no_overlap') };
}

export type Outcome =
  | { readonly status: 'booked'; readonly slot: Interval; readonly eventId: string }
  | {
      readonly status: 'failed';
      readonly reasons: readonly { readonly participant: string; readonly reason: FailureReason }[];
    }
  | { readonly status: 'cancelled'; readonly by: string };

/** Effects are data; the runtime performs them and feeds results back as events. */
export type Effect =
  | { readonly kind: 'send'; readonly to: string; readonly message: Message }
  | {
      readonly kind: 'need_availability';
      readonly negotiationId: string;
      readonly window: Interval;
      readonly durationMin: number;
      /** Whose rules apply (the organizer, for a participant); the organizer's own id for itself. */
      readonly counterpart: string;
    }
  | { readonly kind: 'request_approval'; readonly request: ApprovalRequest }
  | { readonly kind: 'book'; readonly plan: BookingPlan; readonly mode: 'create' | 'move' }
  | { readonly kind: 'ensure_invitation'; readonly plan: BookingPlan }
  | { readonly kind: 'cancel_event'; readonly eventId: string; readonly iCalUID: string }
  | { readonly kind: 'audit'; readonly entry: AuditEntry }
  | { readonly kind: 'outcome'; readonly negotiationId: string; readonly outcome: Outcome };

export type NegotiationEvent =
  /**
   * A peer's message and `from`, the sender the encrypted channel authenticated: the only identity the
   * machines use (NEG13). A message whose own `sender` differs is refused.
   */
  | { readonly type: 'message'; readonly from: string; readonly message: Message }
  /** The runtime's answer to need_availability: free time and the ranked candidate slots. */
  | {
      readonly type: 'availability';
      readonly free: readonly Interval[];
      readonly ranked: readonly Interval[];
      /** CNV6: the person's meeting hours in the window (Availability.hours). Absent: the whole window. */
      readonly hours?: readonly Interval[];
      /**
       * DIS6: distinct slots told to this counterpart in the last 7 days, across all negotiations (the
       * interpreter's ledger). Absent: none known.
       */
      readonly told?: readonly Interval[];
    }
  | ({ readonly type: 'approval' } & ApprovalDecision)
  /** ATT3: `iCalUID` is the one the calendar gave the organizer's event; the confirmation carries it. */
  | { readonly type: 'booked'; readonly eventId: string; readonly iCalUID?: string }
  | { readonly type: 'booking_failed' }
  | { readonly type: 'tick' }
  /** The person's own actions. */
  | { readonly type: 'cancel' }
  /** The person's own times instead (ASK3), with an optional note for the organizer's person. */
  | { readonly type: 'counter'; readonly slots: readonly Interval[]; readonly note?: string }
  | { readonly type: 'decline' }
  | {
      readonly type: 'reschedule';
      readonly window: Interval;
      readonly durationMin: number;
      readonly expiresAt: number;
    };

export type RejectCode =
  | 'wrong_negotiation'
  | 'unknown_sender'
  /** NEG13: the message's `sender` is not the authenticated sender. */
  | 'wrong_sender'
  /** NEG13: the message fails the schema or the time bounds parseMessage applies (NEG8, NEG14, NEG16). */
  | 'schema'
  | 'bad_expiry'
  | 'from_future'
  | 'too_far_ahead'
  /** NEG15: a peer asked for more than the person did (another duration, no room in the window). */
  | 'out_of_bounds'
  | 'expired'
  | 'duplicate'
  | 'stale'
  | 'unexpected_message'
  | 'not_in_reply'
  | 'slot_not_offered'
  | 'invalid_slot'
  | 'closed'
  | 'no_pending_approval'
  | 'approval_mismatch'
  | 'approval_expired'
  | 'unexpected_event';

export interface StepResult<S> {
  readonly state: S;
  readonly effects: readonly Effect[];
  /** Set when the event was refused; the state is then the very same object (NEG5). */
  readonly rejection?: { readonly code: RejectCode };
}

/** What one side remembers about the other's messages. */
export interface Inbox {
  readonly maxSeq: number;
  readonly seen: readonly string[];
}

/** The last message sent to one peer, resent until the peer moves on. */
export interface Outbox {
  readonly message: Message;
  /** The peer's message this one answers: a duplicate of it triggers a resend. */
  readonly inReplyTo: string | null;
  readonly retryAt: number;
  readonly retries: number;
}
