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
}
export const DEFAULT_TIMING: NegotiationTiming = {
  retryMs: 5 * 60_000,
  maxRetries: 200,
  approvalTtlMs: 24 * 3_600_000,
  maxRounds: 3,
  seenIds: 256,
};

export interface AuditEntry {
  readonly at: number;
  readonly negotiationId: string;
  readonly action:
    'disclosed' | 'proposed' | 'accepted' | 'booked' | 'declined' | 'cancelled' | 'rescheduled';
  /** To whom (disclosed, proposed, accepted) or with whom. */
  readonly counterparts: readonly string[];
  /** Exactly what was shared: slot times, nothing else. */
  readonly slots: readonly Interval[];
}

export type FailureReason =
  | 'declined'
  | 'no_overlap'
  | 'no_common_slot'
  | 'timed_out'
  | 'organizer_declined'
  | 'booking_failed'
  | 'expired';

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
      /**
       * DIS6: distinct slots told to this counterpart in the last 7 days, across all negotiations (the
       * interpreter's ledger). Absent: none known.
       */
      readonly told?: readonly Interval[];
    }
  | ({ readonly type: 'approval' } & ApprovalDecision)
  | { readonly type: 'booked'; readonly eventId: string }
  | { readonly type: 'booking_failed' }
  | { readonly type: 'tick' }
  /** The person's own actions. */
  | { readonly type: 'cancel' }
  | { readonly type: 'counter'; readonly slots: readonly Interval[] }
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
