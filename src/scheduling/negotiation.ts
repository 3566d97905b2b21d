import { type OrganizerState, followUpAt, organizerStep } from './organizer-machine';
import { type ParticipantState, participantStep } from './participant-machine';
import type { NegotiationEvent, StepResult } from './negotiation-types';
import { cancelToResend } from './negotiation-common';

/** Either side of a negotiation; plain JSON, so the runtime can persist it between steps. */
export type NegotiationState = OrganizerState | ParticipantState;

export function step(
  state: NegotiationState,
  event: NegotiationEvent,
  now: number,
): StepResult<NegotiationState> {
  return state.role === 'organizer' ? organizerStep(state, event, now) : participantStep(state, event, now);
}

/** When the runtime should next deliver a `tick` (retry or expiry), or null when nothing is pending. */
export function nextWakeAt(state: NegotiationState): number | null {
  if (state.phase === 'cancelled' || state.phase === 'failed') {
    // NEG21: CANCELs still to be resent.
    const outboxes = state.role === 'organizer' ? state.threads.map((t) => t.outbox) : [state.outbox];
    const due = outboxes.filter(cancelToResend).map((o) => o.retryAt);
    return due.length > 0 ? Math.min(...due) : null;
  }
  const open =
    state.role === 'organizer'
      ? ['checking', 'querying', 'approving', 'proposing'].includes(state.phase)
      : ['checking', 'approving_disclosure', 'responded', 'approving_accept', 'accepted'].includes(
          state.phase,
        );
  if (!open) return null;
  const retries =
    state.role === 'organizer'
      ? state.threads.flatMap((t) => (t.outbox ? [t.outbox.retryAt] : []))
      : state.outbox
        ? [state.outbox.retryAt]
        : [];
  const followUp = state.role === 'organizer' ? followUpAt(state) : null;
  return Math.min(state.expiresAt, ...retries, ...(followUp === null ? [] : [followUp]));
}
