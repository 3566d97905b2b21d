import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  PEOPLE,
  afternoonOf,
  commonFreeStarts,
  demoCalendars,
  tomorrowIn,
  wallClock,
  type Name,
} from '../../scripts/demo/calendars';

const HALF_HOUR = 30 * 60_000;

/** The half-hours of Ana's afternoon on `date` inside `name`'s working hours and clear of their events. */
function freeHalfHours(date: Temporal.PlainDate, name: Name): number[] {
  const { start, end } = afternoonOf(date);
  const person = PEOPLE[name];
  const from = Math.max(start, wallClock(date, person.dayStart, person.timeZone));
  const to = Math.min(end, wallClock(date, person.dayEnd, person.timeZone));
  const events = demoCalendars(date)[name];
  const free: number[] = [];
  for (let t = from; t + HALF_HOUR <= to; t += HALF_HOUR) {
    if (events.every((e) => e.end <= t || e.start >= t + HALF_HOUR)) free.push(t);
  }
  return free;
}

// Winter, summer, both weeks when only America has moved its clocks, a Saturday, a Sunday, New Year's Eve.
const DATES = [
  '2026-01-14',
  '2026-07-01',
  '2026-03-10',
  '2026-03-27',
  '2026-10-30',
  '2026-12-05',
  '2026-12-06',
  '2026-12-31',
];

describe('the demo calendars', () => {
  it.each(DATES)(
    '[DEMO3] on %s each invitee has three free half-hours in Ana’s afternoon, one shared by all',
    (day) => {
      const date = Temporal.PlainDate.from(day);
      expect(freeHalfHours(date, 'Ben')).toHaveLength(3);
      expect(freeHalfHours(date, 'Cy')).toHaveLength(3);
      const common = commonFreeStarts(date);
      expect(common).toHaveLength(1);
      // The shared half-hour is free for each of them by their own count too, and Ana has more than it.
      for (const name of ['Ana', 'Ben', 'Cy'] as const)
        expect(freeHalfHours(date, name)).toContain(common[0]);
      expect(freeHalfHours(date, 'Ana').length).toBeGreaterThan(1);
    },
  );

  it('[DEMO3] every seeded event is a real span, and each person has meetings in the shared hours', () => {
    const date = Temporal.PlainDate.from('2026-12-03');
    const { start, end } = afternoonOf(date);
    for (const events of Object.values(demoCalendars(date))) {
      for (const e of events) expect(e.end).toBeGreaterThan(e.start);
      expect(events.filter((e) => e.start < end && e.end > start).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('[DEMO3] “tomorrow” is read in Ana’s zone', () => {
    // 23:30 UTC on 2 July is already 3 July in London (BST), so tomorrow is the 4th.
    expect(tomorrowIn('Europe/London', Date.parse('2026-07-02T23:30:00Z')).toString()).toBe('2026-07-04');
    expect(tomorrowIn('Europe/London', Date.parse('2026-12-02T23:30:00Z')).toString()).toBe('2026-12-03');
  });
});
