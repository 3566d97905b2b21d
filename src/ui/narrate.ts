import type { NegotiationStory, NegotiationView } from '../rpc';
import { type MessageKey, t } from './i18n';

/**
 * [HOM2] A meeting's negotiation told in plain words, from the facts its record holds (NegotiationView's
 * `story`): "Ben's agent offered 3 times on Thursday; you proposed 14:00; Ben accepted." — and its precise
 * outcome: booked, declined by Ben, no common time, expired, cancelled, failed, or waiting for Ben's agent.
 * Pure: the clock, locale and time zone come in as arguments; the words are the catalog's (`t`, I18N1), each
 * step and outcome one whole message with placeholders, so every language orders its own words. An outcome, phase or reason it does not know
 * (the engine may add kinds) is told generically, never dropped and never shown as a code.
 */
export interface NarrateOptions {
  locale?: string;
  timeZone?: string;
  /** "Today"/"Tomorrow" and whether a day needs its date are judged against this instant. */
  now?: number;
}

export interface Narration {
  /** What happened, step by step, one sentence. */
  steps: string;
  /** Where it stands now: the outcome, or what it waits for. */
  outcome: string;
  /** A stable key for the outcome (styling, tests): booked, declined, no_common_time, expired, … */
  kind: string;
}

type Slot = { start: number; end: number };

export function narrate(view: NegotiationView, options: NarrateOptions = {}): Narration {
  const story: NegotiationStory = view.story ?? {};
  const f = formatters(options);
  const steps: string[] = [];

  if (view.role === 'organizer') {
    for (const peer of story.peers ?? []) {
      if (peer.offered.length) steps.push(t('narrateStepPeerOffered', peer.name, timesOn(peer.offered, f)));
    }
    if (story.proposed) steps.push(t('narrateStepYouProposed', f.when(story.proposed)));
    for (const peer of story.peers ?? []) {
      if (peer.status === 'accepted') steps.push(t('narrateStepPeerAccepted', peer.name));
      if (peer.status === 'declined') steps.push(t('narrateStepPeerDeclined', peer.name));
      if (peer.status === 'no_overlap') steps.push(t('narrateStepPeerNoOverlap', peer.name));
    }
  } else {
    const organizer = story.organizer;
    const minutes = story.durationMin;
    if (organizer === undefined) {
      steps.push(
        minutes
          ? t(
              f.one(minutes)
                ? 'narrateStepOrganizerAskedMinutesOne'
                : 'narrateStepOrganizerAskedMinutesOther',
              minutes,
            )
          : t('narrateStepOrganizerAskedTime'),
      );
    } else {
      steps.push(
        minutes
          ? t(
              f.one(minutes) ? 'narrateStepAskedMinutesOne' : 'narrateStepAskedMinutesOther',
              organizer,
              minutes,
            )
          : t('narrateStepAskedTime', organizer),
      );
    }
    if (story.shared?.length) steps.push(t('narrateStepYouShared', timesOn(story.shared, f)));
    if (story.proposed)
      steps.push(
        organizer === undefined
          ? t('narrateStepOrganizerProposed', f.when(story.proposed))
          : t('narrateStepPeerProposed', organizer, f.when(story.proposed)),
      );
    if (story.accepted) steps.push(t('narrateStepYouAccepted'));
  }

  const outcome = outcomeOf(view, story, f);
  return { steps: steps.length ? capitalise(steps.join('; ')) + '.' : '', ...outcome };
}

function outcomeOf(
  view: NegotiationView,
  story: NegotiationStory,
  f: Formatters,
): { outcome: string; kind: string } {
  if (view.approval) return { kind: 'needs_you', outcome: t('narrateNeedsApproval') };
  const status = view.outcome ?? PHASE_OUTCOME[view.phase];
  switch (status) {
    case 'booked':
      return {
        kind: 'booked',
        outcome: view.slot ? t('narrateBookedFor', f.when(view.slot)) : t('narrateBooked'),
      };
    case 'cancelled': {
      const by = story.cancelledBy;
      return {
        kind: 'cancelled',
        outcome:
          by === 'you' ? t('narrateYouCancelled') : by ? t('narrateCancelledBy', by) : t('narrateCancelled'),
      };
    }
    case 'declined':
    case 'failed':
      return failureOf(view, story, f);
    case 'expired':
      return { kind: 'expired', outcome: t('narrateExpired') };
    case undefined:
      break;
    default:
      // An outcome this build does not know yet: told as it is named, not hidden.
      return { kind: String(status), outcome: t('narrateEnded', String(status).replaceAll('_', ' ')) };
  }
  const waiting = story.waitingFor ?? [];
  if (waiting.length) {
    const parts = waiting.map((w) =>
      w.offlineSince !== undefined
        ? t('narrateAgentOfflineSince', w.name, f.time(w.offlineSince))
        : w.since !== undefined
          ? t('narrateAgentNoAnswerSince', w.name, f.time(w.since))
          : t('narrateAgentOf', w.name),
    );
    return { kind: 'waiting', outcome: t('narrateWaitingFor', f.list(parts)) };
  }
  return { kind: 'open', outcome: t(PHASE_WORDS[view.phase] ?? 'narratePhaseOther') };
}

function failureOf(
  view: NegotiationView,
  story: NegotiationStory,
  f: Formatters,
): { outcome: string; kind: string } {
  const failures = story.failures ?? [];
  const declined = failures.filter((x) => x.reason === 'declined' || x.reason === 'organizer_declined');
  if (declined.length) {
    const who = declined.map((x) => x.who);
    return {
      kind: 'declined',
      outcome:
        who.includes('you') && who.length === 1
          ? t('narrateYouDeclined')
          : t('narrateDeclinedBy', f.list(who.map((w) => (w === 'you' ? t('narrateYou') : w)))),
    };
  }
  const reason = failures[0]?.reason ?? view.reason ?? (view.phase === 'declined' ? 'declined' : undefined);
  switch (reason) {
    case 'declined':
      return {
        kind: 'declined',
        outcome: view.role === 'participant' ? t('narrateDeclined') : t('narrateSomeoneDeclined'),
      };
    case 'no_overlap':
    case 'no_common_slot':
      return { kind: 'no_common_time', outcome: t('narrateNoCommonTime') };
    case 'timed_out': {
      const who = failures.filter((x) => x.reason === 'timed_out').map((x) => t('narrateAgentOf', x.who));
      return {
        kind: 'timed_out',
        outcome: who.length ? t('narrateNoAnswerFrom', f.list(who)) : t('narrateAgentDidNotAnswer'),
      };
    }
    case 'expired':
      return { kind: 'expired', outcome: t('narrateExpired') };
    case 'booking_failed':
      return { kind: 'failed', outcome: t('narrateBookingFailed') };
    default:
      return { kind: 'failed', outcome: t('narrateFailed') };
  }
}

const PHASE_OUTCOME: Record<string, string> = {
  booked: 'booked',
  cancelled: 'cancelled',
  declined: 'declined',
  expired: 'expired',
  failed: 'failed',
};

const PHASE_WORDS: Record<string, MessageKey> = {
  checking: 'narratePhaseChecking',
  querying: 'narratePhaseQuerying',
  approving: 'narrateNeedsApproval',
  approving_disclosure: 'narrateNeedsApproval',
  approving_accept: 'narrateNeedsApproval',
  proposing: 'narratePhaseProposing',
  responded: 'narratePhaseResponded',
  accepted: 'narratePhaseAccepted',
  booking: 'narratePhaseBooking',
};

type Day = { kind: 'today' | 'tomorrow' | 'named'; text: string };

interface Formatters {
  day(at: number): Day;
  time(at: number): string;
  when(slot: Slot): string;
  /** Whether `n` takes the language's singular ("1 time"), by Intl.PluralRules. */
  one(n: number): boolean;
  /** "Ben, Cy and Ana" in the locale's words. */
  list(items: readonly string[]): string;
}

function formatters({ locale, timeZone, now }: NarrateOptions): Formatters {
  const zone = timeZone ? { timeZone } : {};
  const dayKey = new Intl.DateTimeFormat('en-CA', {
    ...zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const weekday = new Intl.DateTimeFormat(locale, { ...zone, weekday: 'long' });
  const dated = new Intl.DateTimeFormat(locale, { ...zone, weekday: 'long', month: 'short', day: 'numeric' });
  const clock = new Intl.DateTimeFormat(locale, { ...zone, hour: '2-digit', minute: '2-digit' });
  const plural = new Intl.PluralRules(locale);
  const conjunction = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
  const day = (at: number): Day => {
    if (now === undefined) return { kind: 'named', text: dated.format(at) };
    const key = dayKey.format(at);
    if (key === dayKey.format(now)) return { kind: 'today', text: t('narrateToday') };
    if (key === dayKey.format(now + 86_400_000)) return { kind: 'tomorrow', text: t('narrateTomorrow') };
    // Within the coming week the weekday is enough; further out, the date too.
    const text = at - now < 6 * 86_400_000 && at > now ? weekday.format(at) : dated.format(at);
    return { kind: 'named', text };
  };
  return {
    day,
    time: (at) => clock.format(at),
    when: (slot) => t('narrateWhen', day(slot.start).text, clock.format(slot.start)),
    one: (n) => plural.select(n) === 'one',
    list: (items) => conjunction.format(items),
  };
}

/** "3 times on Thursday", "1 time tomorrow", "4 times between Thursday and Friday". */
function timesOn(slots: readonly Slot[], f: Formatters): string {
  const sorted = [...slots].sort((a, b) => a.start - b.start).map((s) => f.day(s.start));
  const days = sorted.filter((d, i) => sorted.findIndex((e) => e.text === d.text) === i);
  const n = slots.length;
  const one = f.one(n);
  if (days.length > 1) return t('narrateTimesBetween', n, days[0]!.text, days[days.length - 1]!.text);
  const only = days[0]!;
  if (only.kind === 'today') return t(one ? 'narrateTimesTodayOne' : 'narrateTimesTodayOther', n);
  if (only.kind === 'tomorrow') return t(one ? 'narrateTimesTomorrowOne' : 'narrateTimesTomorrowOther', n);
  return t(one ? 'narrateTimesOnDayOne' : 'narrateTimesOnDayOther', n, only.text);
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
