import { Temporal } from 'temporal-polyfill';
import type { Command } from './command';

/**
 * From an understood command to what the agent proposes: code, never a model, decides which actions
 * a command becomes (docs/protocol/proposals.md PRP1–PRP5). The person sees each action's label and
 * confirms them together; nothing runs before that. Pure: the world it reads is passed in.
 */

export interface PlanContact {
  readonly agentId: string;
  readonly name: string;
  readonly status: 'pending' | 'paired' | 'blocked';
}

export interface PlanMeeting {
  readonly id: string;
  readonly role: 'organizer' | 'participant';
  readonly phase: string;
  readonly title: string;
  /** The person's names for the other participants. */
  readonly with: readonly string[];
  readonly slot?: { readonly start: number; readonly end: number };
}

export interface PlanWorld {
  readonly contacts: readonly PlanContact[];
  readonly meetings: readonly PlanMeeting[];
  readonly timeZone: string;
  /** Epoch ms. */
  readonly now: number;
}

/** One action the person is asked to confirm: an id of the action registry and its input. */
export interface ProposedAction {
  readonly action: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** What it does, in the person's words (names are the person's own contact names). */
  readonly label: string;
}

export type Plan =
  | { readonly kind: 'propose'; readonly reply: string; readonly actions: readonly ProposedAction[] }
  /** Something to read now, computed by code (the agenda): `range` in epoch ms. */
  | { readonly kind: 'agenda'; readonly reply: string; readonly range: { start: number; end: number } }
  | { readonly kind: 'reply'; readonly reply: string };

export const DEFAULT_DURATION_MIN = 30;
const DAY_MS = 86_400_000;
/** Hours of each part of the day, local time: a one-day window narrows to them. */
const PART_HOURS = { morning: [8, 12], afternoon: [12, 17], evening: [17, 21] } as const;

export function planCommand(command: Command, world: PlanWorld): Plan {
  const people = resolve(command.participants, world.contacts);
  const unresolved = [...command.unresolved, ...people.missing];
  if (unresolved.length && !['invite', 'help', 'unknown'].includes(command.intent)) {
    return {
      kind: 'reply',
      reply: `I don't know who ${list(unresolved.map((n) => `“${n}”`))} ${unresolved.length > 1 ? 'are' : 'is'}: there is no contact by that name, or more than one. Say the full name as it is in your contacts.`,
    };
  }
  switch (command.intent) {
    case 'schedule':
      return planSchedule(command, people.found, world);
    case 'agenda': {
      const range = command.window
        ? narrow(localDatesRange(command.window, world.timeZone), command, world.timeZone)
        : localDatesRange({ from: today(world), to: today(world) }, world.timeZone);
      return { kind: 'agenda', reply: `Here is your calendar ${describeWindow(command, world)}.`, range };
    }
    case 'cancel':
    case 'reschedule':
      return planExisting(command, people.found, world);
    case 'message': {
      const text = command.text?.trim();
      if (!people.found.length)
        return { kind: 'reply', reply: 'Who should get the message? Name a contact.' };
      if (!text)
        return { kind: 'reply', reply: `What should I tell ${list(people.found.map((c) => c.name))}?` };
      return {
        kind: 'propose',
        reply: `Send this to ${list(people.found.map((c) => c.name))}?`,
        actions: people.found.map((c) => ({
          action: 'messages.send',
          input: { contactId: c.agentId, text },
          label: `Message ${c.name}: “${text}”`,
        })),
      };
    }
    case 'invite':
      return {
        kind: 'propose',
        reply: 'Create an invite code to send to someone?',
        actions: [{ action: 'invite.create', input: {}, label: 'Create an invite code (valid 24 hours)' }],
      };
    case 'help':
      return {
        kind: 'reply',
        reply:
          'Tell me what you need in your own words, for example: “find 30 minutes with Dana next week, mornings”, “what’s on tomorrow?”, “cancel my meeting with Ben on Friday”, “move my call with Ana to next week”, “tell Ben I’m running 5 minutes late”, or “invite someone”. I always show you what I will do before I do it.',
      };
    case 'unknown':
      return {
        kind: 'reply',
        reply:
          'I did not understand that. I can find times with your contacts, show your calendar, cancel or move meetings, send messages and create invites. Say “help” for examples.',
      };
  }
}

function planSchedule(command: Command, found: readonly PlanContact[], world: PlanWorld): Plan {
  if (!found.length)
    return { kind: 'reply', reply: 'Who should the meeting be with? Name one or more contacts.' };
  const notPaired = found.filter((c) => c.status !== 'paired');
  if (notPaired.length) {
    return {
      kind: 'reply',
      reply: `${list(notPaired.map((c) => c.name))} ${notPaired.length > 1 ? 'are' : 'is'} not a paired contact yet (or blocked), so their agent cannot be asked.`,
    };
  }
  const duration = command.durationMinutes ?? DEFAULT_DURATION_MIN;
  const window = command.window
    ? narrow(localDatesRange(command.window, world.timeZone), command, world.timeZone)
    : { start: world.now, end: world.now + 7 * DAY_MS };
  const start = Math.max(window.start, world.now);
  if (window.end - start < duration * 60_000) {
    return {
      kind: 'reply',
      reply: `That time has passed or is too short for ${duration} minutes. Try a later day.`,
    };
  }
  const names = list(found.map((c) => c.name));
  const partNote =
    command.partOfDay && !isOneDay(command)
      ? ` (${command.partOfDay}s are not applied across several days yet: your agent looks at your whole working days)`
      : '';
  return {
    kind: 'propose',
    reply: `Find ${duration} minutes with ${names} ${describeWindow(command, world)}${partNote}?`,
    actions: [
      {
        action: 'negotiations.start',
        input: {
          contactIds: found.map((c) => c.agentId),
          durationMin: duration,
          title: `Meeting with ${names}`.slice(0, 200),
          window: { start, end: window.end },
        },
        label: `Ask ${names}'s agent${found.length > 1 ? 's' : ''} for ${duration} minutes ${describeWindow(command, world)}, and book the time everyone accepts`,
      },
    ],
  };
}

/** Cancel or reschedule: the one live meeting with these people (on that date, when one is given). */
function planExisting(command: Command, found: readonly PlanContact[], world: PlanWorld): Plan {
  const names = new Set(found.map((c) => c.name));
  const day =
    command.intent === 'cancel' && command.window
      ? localDatesRange(command.window, world.timeZone)
      : undefined;
  const live = world.meetings.filter(
    (m) =>
      !['cancelled', 'failed', 'declined', 'expired'].includes(m.phase) &&
      (names.size === 0 || [...names].every((n) => m.with.includes(n))) &&
      (!day || (m.slot !== undefined && m.slot.start < day.end && m.slot.end > day.start)),
  );
  const what = command.intent === 'cancel' ? 'cancel' : 'move';
  if (live.length === 0)
    return {
      kind: 'reply',
      reply: `I found no meeting to ${what}${found.length ? ` with ${list([...names])}` : ''}.`,
    };
  if (live.length > 1) {
    return {
      kind: 'reply',
      reply: `More than one meeting matches (${live.length}). Say who it is with and the day, or ${what} it from the list of meetings.`,
    };
  }
  const meeting = live[0]!;
  if (command.intent === 'cancel') {
    return {
      kind: 'propose',
      reply: `Cancel “${meeting.title}”?`,
      actions: [
        {
          action: 'negotiations.cancel',
          input: { negotiationId: meeting.id },
          label: `Cancel “${meeting.title}” with ${list([...meeting.with])}: every calendar loses it`,
        },
      ],
    };
  }
  if (meeting.role !== 'organizer' || meeting.phase !== 'booked') {
    return { kind: 'reply', reply: 'Only a booked meeting you organised can be moved; ask its organiser.' };
  }
  const until = command.window ? localDatesRange(command.window, world.timeZone).end : world.now + 7 * DAY_MS;
  const withinDays = Math.min(60, Math.max(1, Math.ceil((until - world.now) / DAY_MS)));
  return {
    kind: 'propose',
    reply: `Move “${meeting.title}” to a time in the next ${withinDays} day${withinDays > 1 ? 's' : ''}?`,
    actions: [
      {
        action: 'negotiations.reschedule',
        input: { negotiationId: meeting.id, withinDays },
        label: `Find another time for “${meeting.title}” within ${withinDays} day${withinDays > 1 ? 's' : ''}; the event moves once everyone accepts`,
      },
    ],
  };
}

function resolve(names: readonly string[], contacts: readonly PlanContact[]) {
  const found: PlanContact[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const contact = contacts.find((c) => c.name === name);
    if (contact) found.push(contact);
    else missing.push(name);
  }
  return { found, missing };
}

/** Local dates [from, to] (inclusive) in `zone` → [start of from, start of the day after to) in epoch ms. */
export function localDatesRange(
  window: { from: string; to: string },
  zone: string,
): { start: number; end: number } {
  const start = Temporal.PlainDate.from(window.from).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
  const end = Temporal.PlainDate.from(window.to)
    .add({ days: 1 })
    .toZonedDateTime({ timeZone: zone }).epochMilliseconds;
  return { start, end };
}

/** A one-day window with a part of the day narrows to that part's hours. */
function narrow(range: { start: number; end: number }, command: Command, zone: string) {
  if (!command.partOfDay || !command.window || !isOneDay(command)) return range;
  const [from, to] = PART_HOURS[command.partOfDay];
  const day = Temporal.PlainDate.from(command.window.from);
  const at = (hour: number) =>
    day.toZonedDateTime({ timeZone: zone, plainTime: Temporal.PlainTime.from({ hour }) }).epochMilliseconds;
  return { start: at(from), end: at(to) };
}

const isOneDay = (command: Command) => command.window !== null && command.window.from === command.window.to;

function today(world: PlanWorld): string {
  return Temporal.Instant.fromEpochMilliseconds(world.now)
    .toZonedDateTimeISO(world.timeZone)
    .toPlainDate()
    .toString();
}

/** The window in words; the part of the day only where it is applied (one day). */
function describeWindow(command: Command, world: PlanWorld): string {
  const part =
    command.partOfDay && (isOneDay(command) || command.intent === 'agenda') ? `, ${command.partOfDay}` : '';
  if (!command.window) return command.intent === 'agenda' ? 'today' : 'in the next 7 days';
  const fmt = (date: string) =>
    Temporal.PlainDate.from(date).toLocaleString('en', { weekday: 'short', day: 'numeric', month: 'short' });
  if (command.window.from === command.window.to) {
    return command.window.from === today(world) ? `today${part}` : `on ${fmt(command.window.from)}${part}`;
  }
  return `between ${fmt(command.window.from)} and ${fmt(command.window.to)}${part}`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
