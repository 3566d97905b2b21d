import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { computeAvailability } from './availability';
import type { CachedEvent, CalendarCoverage } from './calendar-cache';
import { HOUR, MINUTE, type Interval, totalLength } from './interval';
import { type PreferencesInput, parsePreferences } from './preferences';
import { findSlots } from './slots';

const allWeek = (start: string, end: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start, end }]]));
const utc = (iso: string) => Date.parse(iso);
const wall = (t: number, tz: string) =>
  Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(tz).toPlainDateTime().toString().slice(0, 16);

function avail(
  prefs: PreferencesInput,
  window: Interval,
  events: CachedEvent[] = [],
  calendars: CalendarCoverage[] = [],
  now = 0,
  participantId = 'me',
) {
  return computeAvailability({
    participantId,
    preferences: parsePreferences(prefs),
    snapshot: { events, calendars },
    window,
    now,
  });
}
const timed = (start: string, end: string, extra: Partial<CachedEvent> = {}): CachedEvent =>
  ({
    id: start,
    kind: 'timed',
    calendarId: 'c',
    status: 'busy',
    start: utc(start),
    end: utc(end),
    ...extra,
  }) as CachedEvent;

describe('availability', () => {
  const day = { start: utc('2024-06-12T00:00Z'), end: utc('2024-06-13T00:00Z') }; // a Wednesday
  const base: PreferencesInput = { timeZone: 'UTC', workingHours: allWeek('09:00', '17:00') };

  it('[AVL1] busy and tentative block; free (transparent), declined and cancelled do not', () => {
    const events = [
      timed('2024-06-12T09:00Z', '2024-06-12T10:00Z'),
      timed('2024-06-12T10:00Z', '2024-06-12T11:00Z', { status: 'tentative' }),
      timed('2024-06-12T11:00Z', '2024-06-12T12:00Z', { status: 'free' }),
      timed('2024-06-12T12:00Z', '2024-06-12T13:00Z', { declined: true }),
      timed('2024-06-12T13:00Z', '2024-06-12T14:00Z', { cancelled: true }),
    ];
    expect(avail(base, day, events).free).toEqual([
      { start: utc('2024-06-12T11:00Z'), end: utc('2024-06-12T17:00Z') },
    ]);
    const lenient = avail({ ...base, tentativeIsBusy: false }, day, events).free;
    expect(lenient[0]!.start).toBe(utc('2024-06-12T10:00Z'));
  });

  it('[AVL2] an all-day busy event blocks the whole local day in the person’s zone', () => {
    const tokyo = { timeZone: 'Asia/Tokyo', workingHours: allWeek('00:00', '24:00') };
    const window = { start: utc('2024-06-11T00:00Z'), end: utc('2024-06-14T00:00Z') };
    const e: CachedEvent = {
      id: 'x',
      kind: 'allDay',
      calendarId: 'c',
      status: 'busy',
      startDate: '2024-06-12',
      endDate: '2024-06-13',
    };
    const free = avail(tokyo, window, [e]).free;
    // 12 June in Tokyo is 11 June 15:00Z to 12 June 15:00Z.
    expect(free).toEqual([
      { start: window.start, end: utc('2024-06-11T15:00Z') },
      { start: utc('2024-06-12T15:00Z'), end: window.end },
    ]);
    expect(avail(tokyo, window, [{ ...e, status: 'free' }]).free).toEqual([window]);
  });

  it('[AVL4] buffers widen busy events; [AVL5] minimum notice hides the near future', () => {
    const events = [timed('2024-06-12T12:00Z', '2024-06-12T13:00Z')];
    const free = avail(
      { ...base, bufferBeforeMin: 15, bufferAfterMin: 10, minimumNoticeMin: 60 },
      day,
      events,
      [],
      utc('2024-06-12T09:30Z'),
    ).free;
    expect(free).toEqual([
      { start: utc('2024-06-12T10:30Z'), end: utc('2024-06-12T11:50Z') },
      { start: utc('2024-06-12T13:15Z'), end: utc('2024-06-12T17:00Z') },
    ]);
  });

  it('[AVL5] max meetings per day, no-meeting days and dates, protected blocks, meeting hours', () => {
    const two = [
      timed('2024-06-12T09:00Z', '2024-06-12T09:30Z'),
      timed('2024-06-12T15:00Z', '2024-06-12T15:30Z'),
    ];
    expect(avail({ ...base, maxMeetingsPerDay: 2 }, day, two).free).toEqual([]);
    expect(avail({ ...base, maxMeetingsPerDay: 3 }, day, two).free).toHaveLength(2);
    expect(avail({ ...base, noMeetingDays: ['wed'] }, day).free).toEqual([]);
    expect(avail({ ...base, noMeetingDates: ['2024-06-12'] }, day).free).toEqual([]);
    const prot = avail(
      {
        ...base,
        meetingHours: allWeek('10:00', '16:00'),
        protectedBlocks: [{ kind: 'lunch', days: ['wed'], range: { start: '12:00', end: '13:00' } }],
      },
      day,
    );
    expect(prot.hours).toEqual([{ start: utc('2024-06-12T10:00Z'), end: utc('2024-06-12T16:00Z') }]);
    expect(prot.free).toEqual([
      { start: utc('2024-06-12T10:00Z'), end: utc('2024-06-12T12:00Z') },
      { start: utc('2024-06-12T13:00Z'), end: utc('2024-06-12T16:00Z') },
    ]);
  });

  it('[AVL8] maxMeetingsPerDay 0 means no meetings, also on an empty day; 1 allows exactly one', () => {
    const week = { start: day.start, end: day.start + 7 * 24 * HOUR };
    expect(avail({ ...base, maxMeetingsPerDay: 0 }, week).free).toEqual([]);
    const one = [timed('2024-06-12T09:00Z', '2024-06-12T09:30Z')];
    expect(avail({ ...base, maxMeetingsPerDay: 0 }, day, one).free).toEqual([]);
    expect(avail({ ...base, maxMeetingsPerDay: 1 }, day).free).toEqual([
      { start: utc('2024-06-12T09:00Z'), end: utc('2024-06-12T17:00Z') },
    ]);
    expect(avail({ ...base, maxMeetingsPerDay: 1 }, day, one).free).toEqual([]);
    expect(avail({ ...base, maxMeetingsPerDay: null }, day, one).free).toHaveLength(1);
  });

  it('[AVL6] an unknown calendar never counts as free; partial coverage counts only where known', () => {
    expect(avail(base, day, [], [{ calendarId: 'work', known: [] }]).free).toEqual([]);
    const partial = avail(
      base,
      day,
      [],
      [{ calendarId: 'work', known: [{ start: 0, end: utc('2024-06-12T12:00Z') }] }],
    );
    expect(partial.free).toEqual([{ start: utc('2024-06-12T09:00Z'), end: utc('2024-06-12T12:00Z') }]);
  });
});

describe('daylight saving', () => {
  it('[AVL3] New York spring forward: 01:00–05:00 local is 3 real hours and no slot starts in 02:xx', () => {
    const p = { timeZone: 'America/New_York', workingHours: allWeek('01:00', '05:00') };
    const window = { start: utc('2024-03-10T00:00Z'), end: utc('2024-03-11T00:00Z') };
    const a = avail(p, window);
    expect(totalLength(a.free)).toBe(3 * HOUR);
    const slots = findSlots([a], { durationMin: 30, limit: 50 });
    expect(slots).toHaveLength(6);
    for (const s of slots) expect(wall(s.start, p.timeZone)).not.toMatch(/T02:/);
  });

  it('[AVL3] New York fall back: the repeated hour is one stretch of real time, no instant offered twice', () => {
    const p = { timeZone: 'America/New_York', workingHours: allWeek('00:00', '03:00') };
    const window = { start: utc('2024-11-03T00:00Z'), end: utc('2024-11-04T00:00Z') };
    const a = avail(p, window);
    expect(totalLength(a.free)).toBe(4 * HOUR); // 00:00 EDT → 03:00 EST
    const starts = findSlots([a], { durationMin: 30, limit: 50 }).map((s) => s.start);
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts).toHaveLength(8);
  });

  it('[AVL3] London spring forward: 00:30–03:00 local is 1.5 real hours', () => {
    const p = { timeZone: 'Europe/London', workingHours: allWeek('00:30', '03:00') };
    const a = avail(p, { start: utc('2024-03-31T00:00Z'), end: utc('2024-03-31T12:00Z') });
    expect(a.free).toEqual([{ start: utc('2024-03-31T00:30Z'), end: utc('2024-03-31T02:00Z') }]);
  });

  it('[AVL3] Lord Howe’s 30-minute change and Apia’s skipped day', () => {
    const lh = avail(
      { timeZone: 'Australia/Lord_Howe', workingHours: allWeek('01:00', '03:00') },
      { start: utc('2024-10-04T12:00Z'), end: utc('2024-10-06T12:00Z') },
    );
    // 6 Oct: 02:00 jumps to 02:30, so 01:00–03:00 local holds 1.5 real hours; 5 Oct holds 2.
    expect(lh.free.map((i) => (i.end - i.start) / MINUTE)).toEqual([120, 90]);
    const apia = avail(
      { timeZone: 'Pacific/Apia', workingHours: allWeek('09:00', '17:00') },
      { start: utc('2011-12-29T12:00Z'), end: utc('2012-01-01T12:00Z') },
    );
    const dates = apia.free.map((i) => wall(i.start, 'Pacific/Apia').slice(0, 10));
    expect(dates).toEqual(['2011-12-29', '2011-12-31', '2012-01-01']);
  });

  it('[AVL3][SLT1] New York and London across the US change (London unchanged): overlap grows from 3 to 4 hours', () => {
    const ny = { timeZone: 'America/New_York', workingHours: allWeek('09:00', '17:00') };
    const ldn = { timeZone: 'Europe/London', workingHours: allWeek('09:00', '17:00') };
    const window = { start: utc('2024-03-08T00:00Z'), end: utc('2024-03-12T00:00Z') };
    const avs = [avail(ny, window, [], [], 0, 'ny'), avail(ldn, window, [], [], 0, 'ldn')];
    const slots = findSlots(avs, { durationMin: 60, limit: 100 });
    const perDay = new Map<string, number>();
    for (const s of slots) {
      const d = wall(s.start, 'America/New_York').slice(0, 10);
      perDay.set(d, (perDay.get(d) ?? 0) + 1);
      for (const [tz, edge] of [
        ['America/New_York', '17:00'],
        ['Europe/London', '17:00'],
      ] as const) {
        expect(wall(s.start, tz).slice(11) >= '09:00').toBe(true);
        expect(wall(s.end - 1, tz).slice(11) < edge).toBe(true);
      }
    }
    // 60-minute slots every 30 minutes: 3 h overlap → 5 starts, 4 h → 7 starts.
    expect(perDay.get('2024-03-08')).toBe(5);
    expect(perDay.get('2024-03-11')).toBe(7);
  });
});
