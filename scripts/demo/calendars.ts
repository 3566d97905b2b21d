/**
 * The demo's three people and their calendars for "tomorrow" (docs/protocol/demo.md DEMO3).
 *
 * Ana (London), Ben (New York) and Cy (Berlin). Ana asks for 30 minutes "tomorrow afternoon": 12:00–17:00
 * in her zone (what the planner reads "afternoon" as, src/assistant/plan.ts). Ben's working day starts at
 * 09:00 New York, which is 14:00 in London in winter (13:00 in the weeks when only America has moved its
 * clocks), so the three overlap for about three hours. Everyone has meetings in those hours: the seeds
 * leave each invitee exactly three free half-hours there (all of them fit in one answer, DIS1), and only
 * one half-hour is free for all three. Times are placed from Ben's 09:00, so the picture is the same
 * whatever the date and the daylight-saving season.
 */
import { Temporal } from 'temporal-polyfill';

export const NAMES = ['Ana', 'Ben', 'Cy'] as const;
export type Name = (typeof NAMES)[number];

export interface Person {
  name: Name;
  /** How the seeded calendar is titled in the fake Google account. */
  fullName: string;
  timeZone: string;
  dayStart: string;
  dayEnd: string;
}

export const PEOPLE: Record<Name, Person> = {
  Ana: {
    name: 'Ana',
    fullName: 'Ana Alvarez',
    timeZone: 'Europe/London',
    dayStart: '09:00',
    dayEnd: '17:30',
  },
  Ben: {
    name: 'Ben',
    fullName: 'Ben Okafor',
    timeZone: 'America/New_York',
    dayStart: '09:00',
    dayEnd: '17:00',
  },
  Cy: { name: 'Cy', fullName: 'Cy Tanaka', timeZone: 'Europe/Berlin', dayStart: '09:00', dayEnd: '18:00' },
};

/** Every day is a working day in the demo, so "tomorrow" works on a Saturday too. */
export const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const COMMAND = 'find 30 minutes with Ben and Cy tomorrow afternoon';
export const DURATION_MIN = 30;
/** "Afternoon" in the organizer's zone, as the planner reads it. */
export const AFTERNOON = { start: '12:00', end: '17:00' } as const;

/** A seeded event: epoch ms, `[start, end)`. */
export interface SeedEvent {
  summary: string;
  start: number;
  end: number;
}

const MIN = 60_000;

/** The date that is "tomorrow" for someone in `timeZone` at `now`. */
export function tomorrowIn(timeZone: string, now: number): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(now)
    .toZonedDateTimeISO(timeZone)
    .toPlainDate()
    .add({ days: 1 });
}

/** Epoch ms of a wall-clock time ("HH:MM") on `date` in `timeZone`. */
export function wallClock(date: Temporal.PlainDate, hhmm: string, timeZone: string): number {
  return date.toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(hhmm) }).epochMilliseconds;
}

/** Ana's "tomorrow afternoon" on `date`, in epoch ms. */
export function afternoonOf(date: Temporal.PlainDate): { start: number; end: number } {
  const zone = PEOPLE.Ana.timeZone;
  return { start: wallClock(date, AFTERNOON.start, zone), end: wallClock(date, AFTERNOON.end, zone) };
}

/** Each person's seeded events around `date` (the demo's "tomorrow"). */
export function demoCalendars(date: Temporal.PlainDate): Record<Name, SeedEvent[]> {
  const local = (name: Name, from: string, to: string, summary: string, day = date): SeedEvent => ({
    summary,
    start: wallClock(day, from, PEOPLE[name].timeZone),
    end: wallClock(day, to, PEOPLE[name].timeZone),
  });
  const afternoon = afternoonOf(date);
  // The shared hours start at Ben's 09:00; half-hour k of them is `half(k)`.
  const shared = wallClock(date, PEOPLE.Ben.dayStart, PEOPLE.Ben.timeZone);
  const half = (k: number, n = 1) => ({ start: shared + k * 30 * MIN, end: shared + (k + n) * 30 * MIN });
  const sharedEnd = shared + 6 * 30 * MIN;
  const next = date.add({ days: 1 });

  const ana: SeedEvent[] = [
    local('Ana', '09:30', '09:45', 'Team standup'),
    local('Ana', '10:00', '11:00', 'Roadmap workshop'),
    {
      summary: 'Lunch with Marta',
      start: afternoon.start,
      end: Math.min(afternoon.start + 60 * MIN, shared),
    },
    { summary: 'Design review', ...half(0, 2) },
    { summary: '1:1 with Priya', ...half(4) },
    local('Ana', '10:00', '11:30', 'Quarterly planning', next),
  ];
  const ben: SeedEvent[] = [
    { summary: 'Standup', ...half(0) },
    { summary: 'Weekly sales sync', ...half(2) },
    { summary: 'Customer call: Northwind', ...half(5) },
    local('Ben', '12:30', '13:30', 'Lunch'),
    local('Ben', '15:00', '16:00', 'Pipeline review'),
    local('Ben', '11:00', '12:00', 'Board prep', next),
  ];
  const cy: SeedEvent[] = [
    local('Cy', '09:30', '09:45', 'Standup'),
    { summary: 'Hiring panel', ...half(1) },
    { summary: 'Focus: quarterly report', ...half(4) },
    { summary: 'Code review', ...half(5) },
    local('Cy', '14:00', '15:00', 'Vendor demo', next),
  ];
  // Cy works while Ben sleeps: her early afternoon (Ana's) is taken, so she has nothing there to offer.
  if (shared > afternoon.start) {
    const lunchEnd = Math.min(afternoon.start + 60 * MIN, shared);
    cy.push({ summary: 'Lunch', start: afternoon.start, end: lunchEnd });
    if (lunchEnd < shared) cy.push({ summary: 'Sprint planning', start: lunchEnd, end: shared });
  }
  // In the weeks when only one side of the Atlantic has changed its clocks, the shared hours run longer.
  if (afternoon.end > sharedEnd) {
    ben.push({ summary: 'Offsite prep', start: sharedEnd, end: afternoon.end });
    cy.push({ summary: 'Offsite prep', start: sharedEnd, end: afternoon.end });
  }
  return { Ana: ana, Ben: ben, Cy: cy };
}

/**
 * The starts of the 30-minute slots in Ana's tomorrow afternoon that are inside everyone's working hours
 * and clear of every seeded event: an oracle worked out here, apart from src/scheduling.
 */
export function commonFreeStarts(date: Temporal.PlainDate, durationMin = DURATION_MIN): number[] {
  const calendars = demoCalendars(date);
  const { start, end } = afternoonOf(date);
  const starts: number[] = [];
  for (let t = start; t + durationMin * MIN <= end; t += 30 * MIN) {
    const slotEnd = t + durationMin * MIN;
    const free = NAMES.every((name) => {
      const p = PEOPLE[name];
      const inHours =
        t >= wallClock(date, p.dayStart, p.timeZone) && slotEnd <= wallClock(date, p.dayEnd, p.timeZone);
      return inHours && calendars[name].every((e) => e.end <= t || e.start >= slotEnd);
    });
    if (free) starts.push(t);
  }
  return starts;
}

/** A seeded event as Google Calendar's API takes it, in the person's zone. */
export function googleEvent(event: SeedEvent, timeZone: string): Record<string, unknown> {
  const at = (ms: number) => ({
    dateTime: Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone).toString({
      timeZoneName: 'never',
    }),
    timeZone,
  });
  return { summary: event.summary, start: at(event.start), end: at(event.end) };
}

/** "Thu 3 Dec, 15:30–16:00" in `timeZone`. */
export function localSpan(start: number, end: number, timeZone: string): string {
  const day = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return `${day.format(start)}, ${time.format(start)}–${time.format(end)}`;
}
