import type { NegotiationStory, NegotiationView } from '../rpc';

/**
 * [HOM2] A meeting's negotiation told in plain words, from the facts its record holds (NegotiationView's
 * `story`): "Ben's agent offered 3 times on Thursday; you proposed 14:00; Ben accepted." — and its precise
 * outcome: booked, declined by Ben, no common time, expired, cancelled, failed, or waiting for Ben's agent.
 * Pure: the clock, locale and time zone come in as arguments. An outcome, phase or reason it does not know
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
      if (peer.offered.length)
        steps.push(`${possessive(peer.name)} agent offered ${timesOn(peer.offered, f)}`);
    }
    if (story.proposed) steps.push(`you proposed ${f.when(story.proposed)}`);
    for (const peer of story.peers ?? []) {
      if (peer.status === 'accepted') steps.push(`${peer.name} accepted`);
      if (peer.status === 'declined') steps.push(`${peer.name} declined`);
      if (peer.status === 'no_overlap') steps.push(`${peer.name} had no time in that window`);
    }
  } else {
    const organizer = story.organizer ?? 'the organizer';
    steps.push(
      `${possessive(organizer)} agent asked for ${story.durationMin ? `${story.durationMin} minutes` : 'a time'}`,
    );
    if (story.shared?.length) steps.push(`you shared ${timesOn(story.shared, f)}`);
    if (story.proposed) steps.push(`${organizer} proposed ${f.when(story.proposed)}`);
    if (story.accepted) steps.push('you accepted');
  }

  const outcome = outcomeOf(view, story, f);
  return { steps: steps.length ? capitalise(steps.join('; ')) + '.' : '', ...outcome };
}

function outcomeOf(
  view: NegotiationView,
  story: NegotiationStory,
  f: Formatters,
): { outcome: string; kind: string } {
  if (view.approval) return { kind: 'needs_you', outcome: 'Waiting for your approval.' };
  const status = view.outcome ?? PHASE_OUTCOME[view.phase];
  switch (status) {
    case 'booked':
      return { kind: 'booked', outcome: view.slot ? `Booked for ${f.when(view.slot)}.` : 'Booked.' };
    case 'cancelled': {
      const by = story.cancelledBy;
      return {
        kind: 'cancelled',
        outcome: by === 'you' ? 'You cancelled it.' : by ? `Cancelled by ${by}.` : 'Cancelled.',
      };
    }
    case 'declined':
    case 'failed':
      return failureOf(view, story);
    case 'expired':
      return { kind: 'expired', outcome: 'Expired: no agreement before the deadline.' };
    case undefined:
      break;
    default:
      // An outcome this build does not know yet: told as it is named, not hidden.
      return { kind: String(status), outcome: `Ended (${String(status).replaceAll('_', ' ')}).` };
  }
  const waiting = story.waitingFor ?? [];
  if (waiting.length) {
    const parts = waiting.map((w) => {
      const since = w.offlineSince ?? w.since;
      const note = w.offlineSince ? ' — offline since ' : ' — no answer since ';
      return `${possessive(w.name)} agent${since !== undefined ? note + f.time(since) : ''}`;
    });
    return { kind: 'waiting', outcome: `Waiting for ${list(parts)}.` };
  }
  return { kind: 'open', outcome: `${capitalise(PHASE_WORDS[view.phase] ?? 'in progress')}.` };
}

function failureOf(view: NegotiationView, story: NegotiationStory): { outcome: string; kind: string } {
  const failures = story.failures ?? [];
  const declined = failures.filter((x) => x.reason === 'declined' || x.reason === 'organizer_declined');
  if (declined.length) {
    const who = declined.map((x) => x.who);
    return {
      kind: 'declined',
      outcome: who.includes('you') && who.length === 1 ? 'You declined.' : `Declined by ${list(who)}.`,
    };
  }
  const reason = failures[0]?.reason ?? view.reason ?? (view.phase === 'declined' ? 'declined' : undefined);
  switch (reason) {
    case 'declined':
      return { kind: 'declined', outcome: view.role === 'participant' ? 'Declined.' : 'Someone declined.' };
    case 'no_overlap':
    case 'no_common_slot':
      return {
        kind: 'no_common_time',
        outcome: 'No common time: nobody was free at the same time in that window.',
      };
    case 'timed_out': {
      const who = failures.filter((x) => x.reason === 'timed_out').map((x) => possessive(x.who) + ' agent');
      return {
        kind: 'timed_out',
        outcome: who.length ? `No answer from ${list(who)} in time.` : 'An agent did not answer in time.',
      };
    }
    case 'expired':
      return { kind: 'expired', outcome: 'Expired: no agreement before the deadline.' };
    case 'booking_failed':
      return {
        kind: 'failed',
        outcome: 'Failed: the calendar refused the booking. Check the calendar connection and try again.',
      };
    default:
      return { kind: 'failed', outcome: 'Failed: the meeting could not be arranged.' };
  }
}

const PHASE_OUTCOME: Record<string, string> = {
  booked: 'booked',
  cancelled: 'cancelled',
  declined: 'declined',
  expired: 'expired',
  failed: 'failed',
};

const PHASE_WORDS: Record<string, string> = {
  checking: 'checking your calendar',
  querying: 'asking for free times',
  approving: 'waiting for your approval',
  approving_disclosure: 'waiting for your approval',
  approving_accept: 'waiting for your approval',
  proposing: 'proposing a time',
  responded: 'free times shared, waiting for a proposal',
  accepted: 'accepted, waiting for the booking',
  booking: 'booking',
};

interface Formatters {
  day(at: number): string;
  time(at: number): string;
  when(slot: Slot): string;
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
  const day = (at: number) => {
    if (now === undefined) return dated.format(at);
    const key = dayKey.format(at);
    if (key === dayKey.format(now)) return 'today';
    if (key === dayKey.format(now + 86_400_000)) return 'tomorrow';
    // Within the coming week the weekday is enough; further out, the date too.
    return at - now < 6 * 86_400_000 && at > now ? weekday.format(at) : dated.format(at);
  };
  return {
    day,
    time: (at) => clock.format(at),
    when: (slot) => `${day(slot.start)} at ${clock.format(slot.start)}`,
  };
}

/** "3 times on Thursday", "1 time on Thursday", "4 times between Thursday and Friday". */
function timesOn(slots: readonly Slot[], f: Formatters): string {
  const days = [...new Set([...slots].sort((a, b) => a.start - b.start).map((s) => f.day(s.start)))];
  const count = `${slots.length} ${slots.length === 1 ? 'time' : 'times'}`;
  if (days.length === 1) return `${count} ${/^(today|tomorrow)$/.test(days[0]!) ? '' : 'on '}${days[0]}`;
  return `${count} between ${days[0]} and ${days[days.length - 1]}`;
}

const possessive = (name: string) => (name === 'you' ? 'your' : /s$/.test(name) ? `${name}’` : `${name}’s`);
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const list = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
