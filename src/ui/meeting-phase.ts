import { type MessageKey, t } from './i18n';

/** A meeting's phase in a few words (the meetings list, the palette), never its code. */
const PHASES: Record<string, MessageKey> = {
  checking: 'meetingsPhaseChecking',
  querying: 'meetingsPhaseQuerying',
  approving: 'meetingsPhaseApproving',
  approving_disclosure: 'meetingsPhaseApproving',
  approving_accept: 'meetingsPhaseApproving',
  proposing: 'meetingsPhaseProposing',
  responded: 'meetingsPhaseResponded',
  booking: 'meetingsPhaseBooking',
  booked: 'meetingsPhaseBooked',
  failed: 'meetingsPhaseFailed',
  cancelled: 'meetingsPhaseCancelled',
  declined: 'meetingsPhaseDeclined',
  expired: 'meetingsPhaseExpired',
};

export const phaseWords = (phase: string): string => t(PHASES[phase] ?? 'meetingsPhaseOther');
