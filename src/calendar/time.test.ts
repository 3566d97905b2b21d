import { describe, expect, it } from 'vitest';
import { CalendarError } from './errors';
import type { EventDateTime } from './schemas';
import { eventInstant, instantRange, offsetInstant } from './time';

const utc = (iso: string) => Date.parse(iso);

/** Runs `read` as if on machines set to different zones (Node re-reads TZ when it changes). */
function onMachinesIn<T>(zones: string[], read: () => T): T[] {
  const saved = process.env.TZ;
  try {
    return zones.map((tz) => {
      process.env.TZ = tz;
      return read();
    });
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}
const MACHINES = ['UTC', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kathmandu'];

/** The typed refusal, proving it is a CalendarError and not a RangeError from Temporal. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CalendarError);
    return (error as CalendarError).code;
  }
  throw new Error('expected a refusal');
}

describe('reading Google’s times', () => {
  it('[TIM2] a date-time without an offset is wall-clock time in the event’s zone, else the calendar’s, the same instant on every machine', () => {
    const cases: [EventDateTime, string, number][] = [
      // The audit's case: 09:00 in Los Angeles, read on a machine 8 hours away.
      [
        { dateTime: '2026-03-10T09:00:00', timeZone: 'America/Los_Angeles' },
        'UTC',
        utc('2026-03-10T16:00:00Z'),
      ],
      // No event zone: the calendar's.
      [{ dateTime: '2026-03-10T09:00:00' }, 'Europe/Paris', utc('2026-03-10T08:00:00Z')],
      // The event's zone beats the calendar's.
      [
        { dateTime: '2026-03-10T09:00:00', timeZone: 'Asia/Kathmandu' },
        'Europe/Paris',
        utc('2026-03-10T03:15:00Z'),
      ],
      [
        { dateTime: '2026-10-04T09:00:00.500', timeZone: 'Australia/Lord_Howe' },
        'UTC',
        utc('2026-10-03T22:00:00.500Z'),
      ],
      // An offset is the instant, whatever the zone says.
      [
        { dateTime: '2026-03-10T09:00:00-05:00', timeZone: 'Asia/Tokyo' },
        'Europe/Paris',
        utc('2026-03-10T14:00:00Z'),
      ],
      [{ dateTime: '2026-03-10t09:00:00z' }, 'Asia/Tokyo', utc('2026-03-10T09:00:00Z')],
      // Gap (New York springs forward at 02:00): 02:30 does not exist, it moves forward by the gap.
      [{ dateTime: '2026-03-08T02:30:00', timeZone: 'America/New_York' }, 'UTC', utc('2026-03-08T07:30:00Z')],
      // Fold (New York falls back at 02:00): 01:30 happens twice, the earlier one counts.
      [{ dateTime: '2026-11-01T01:30:00', timeZone: 'America/New_York' }, 'UTC', utc('2026-11-01T05:30:00Z')],
      // Apia skipped 30 December 2011 entirely.
      [{ dateTime: '2011-12-30T10:00:00', timeZone: 'Pacific/Apia' }, 'UTC', utc('2011-12-30T20:00:00Z')],
      // All-day: midnight in the event's zone, else the calendar's.
      [{ date: '2026-03-10' }, 'Asia/Tokyo', utc('2026-03-09T15:00:00Z')],
      [{ date: '2026-03-10', timeZone: 'America/Chicago' }, 'Asia/Tokyo', utc('2026-03-10T05:00:00Z')],
    ];
    for (const [t, calendarZone, expected] of cases) {
      const seen = onMachinesIn(MACHINES, () => eventInstant(t, calendarZone));
      expect(seen, JSON.stringify(t)).toEqual(MACHINES.map(() => expected));
    }
    const range = onMachinesIn(MACHINES, () =>
      instantRange(
        { dateTime: '2026-03-10T09:00:00', timeZone: 'America/Los_Angeles' },
        { dateTime: '2026-03-10T10:00:00', timeZone: 'America/Los_Angeles' },
        'UTC',
      ),
    );
    expect(new Set(range.map((r) => `${r.startMs}-${r.endMs}`)).size).toBe(1);
  });

  it('[TIM3] a time that cannot be placed is a typed CalendarError, never a RangeError', () => {
    const unreadable: EventDateTime[] = [
      { dateTime: '2026-02-30T09:00:00Z' },
      { dateTime: '2026-13-01T09:00:00Z' },
      { dateTime: '2026-03-10T25:00:00Z' },
      { dateTime: '2026-03-10T09:00:00+25:00' },
      { dateTime: '2026-03-10 09:00:00' },
      { dateTime: '2026-03-10T09:00Z' },
      { dateTime: 'March 10, 2026 09:00 GMT+0100' },
      { dateTime: '2026-03-10T09:00:00Z', date: '2026-03-10' },
      { dateTime: '' },
      { date: '2026-02-30' },
      { date: '2026-2-3' },
      { date: '+002026-03-10' },
      {},
    ];
    for (const t of unreadable)
      expect(
        refusal(() => eventInstant(t, 'UTC')),
        JSON.stringify(t),
      ).toBe('bad_response');
    // Where the zone decides the instant, a zone this runtime does not know cannot place the event.
    const zoneDecides: [EventDateTime, string][] = [
      [{ dateTime: '2026-03-10T09:00:00', timeZone: 'Mars/Olympus_Mons' }, 'UTC'],
      [{ dateTime: '2026-03-10T09:00:00' }, 'Mars/Olympus_Mons'],
      [{ date: '2026-03-10' }, 'Mars/Olympus_Mons'],
      [{ date: '2026-03-10', timeZone: 'America/Atlantis' }, 'UTC'],
    ];
    for (const [t, zone] of zoneDecides) {
      expect(
        refusal(() => eventInstant(t, zone)),
        JSON.stringify(t),
      ).toBe('unknown_time_zone');
    }
    // With an offset, the zone's name does not matter.
    expect(
      eventInstant({ dateTime: '2026-03-10T09:00:00+01:00', timeZone: 'Mars/Olympus_Mons' }, 'UTC'),
    ).toBe(utc('2026-03-10T08:00:00Z'));
    // Ends before it starts, or mixes a date with a date-time.
    expect(
      refusal(() =>
        instantRange({ dateTime: '2026-03-10T10:00:00Z' }, { dateTime: '2026-03-10T09:00:00Z' }, 'UTC'),
      ),
    ).toBe('bad_response');
    expect(
      refusal(() => instantRange({ date: '2026-03-10' }, { dateTime: '2026-03-11T00:00:00Z' }, 'UTC')),
    ).toBe('bad_response');
    // Free/busy answers must carry their offset: anything else is NaN (the calendar is then unknown, FB1).
    expect(offsetInstant('2026-03-10T09:00:00Z')).toBe(utc('2026-03-10T09:00:00Z'));
    for (const text of ['2026-03-10T09:00:00', '2026-02-30T09:00:00Z', 'soon'])
      expect(offsetInstant(text)).toBeNaN();
  });
});
