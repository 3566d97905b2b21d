import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Availability, availabilityFromCache, computeAvailability } from './availability';
import type { CachedEvent, CalendarCoverage } from './calendar-cache';
import { SchedulingError } from './errors';
import { DAY, MINUTE, type Interval, clip } from './interval';
import { DEFAULT_SEARCH_LIMITS, type SearchLimits } from './limits';
import { type PreferencesInput, parsePreferences } from './preferences';
import { checkSearch, commonFree, findSlots } from './slots';
import { zoneTable } from './zone';

const allWeek = (start: string, end: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start, end }]]));
const T0 = Date.UTC(2025, 0, 6); // a Monday
const prefs = (extra: Partial<PreferencesInput> = {}) =>
  parsePreferences({ timeZone: 'America/New_York', workingHours: allWeek('09:00', '17:00'), ...extra });

function avail(
  window: Interval,
  events: CachedEvent[] = [],
  calendars: CalendarCoverage[] = [{ calendarId: 'c', known: [window] }],
  limits?: SearchLimits,
  participantId = 'me',
): Availability {
  return computeAvailability(
    { participantId, preferences: prefs(), snapshot: { events, calendars }, window, now: 0 },
    limits,
  );
}

/** The typed error a call throws (and proof that it is not a RangeError or anything else). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SchedulingError);
    return (error as SchedulingError).code;
  }
  throw new Error('expected a refusal');
}

const BAD_WINDOWS: Interval[] = [
  { start: Number.NaN, end: T0 },
  { start: T0, end: Number.POSITIVE_INFINITY },
  { start: Number.NEGATIVE_INFINITY, end: T0 },
  { start: 8.64e15 - DAY, end: 8.64e15 }, // Temporal's last day: a year either side is out of range
  { start: -8.64e15, end: -8.64e15 + DAY },
  { start: 0, end: 1e16 }, // beyond Date and Temporal altogether
  { start: -1, end: DAY },
  { start: T0, end: T0 },
  { start: T0 + DAY, end: T0 },
  { start: T0, end: T0 + 121 * DAY },
  { start: T0, end: T0 + 5 * 365 * DAY },
  { start: '2025-01-01', end: T0 } as unknown as Interval,
  null as unknown as Interval,
];

describe('search limits', () => {
  it('[SLT7] a non-finite, out-of-range, empty, reversed or over-long window is a typed invalid_window, never a RangeError, and the cache is not asked', async () => {
    for (const window of BAD_WINDOWS) {
      expect(refusal(() => avail(window))).toBe('invalid_window');
      let asked = 0;
      const cache = { snapshot: async () => (asked++, { events: [], calendars: [] }) };
      await expect(
        availabilityFromCache(cache, { participantId: 'me', preferences: prefs(), window, now: 0 }),
      ).rejects.toMatchObject({ name: 'SchedulingError', code: 'invalid_window' });
      expect(asked).toBe(0);
    }
    for (const [from, to] of [
      [Number.NaN, 0],
      [0, 1e16],
      [8.64e15 - DAY, 8.64e15],
      [0, 400 * 365 * DAY],
    ] as const) {
      expect(refusal(() => zoneTable('Europe/London', from, to))).toBe('invalid_window');
    }
    // A non-finite "now" would silently drop the minimum notice.
    expect(
      refusal(() =>
        computeAvailability({
          participantId: 'me',
          preferences: prefs({ minimumNoticeMin: 60 }),
          snapshot: { events: [], calendars: [] },
          window: { start: T0, end: T0 + DAY },
          now: Number.NaN,
        }),
      ),
    ).toBe('invalid_request');
  });

  it('[SLT7] a malformed grid, duration or limit is a typed invalid_request', () => {
    const av = avail({ start: T0, end: T0 + 7 * DAY });
    for (const granularityMin of [0, -15, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 1441]) {
      expect(refusal(() => findSlots([av], { durationMin: 30, granularityMin }))).toBe('invalid_request');
    }
    for (const durationMin of [0, 4, 30.5, Number.NaN, 1441]) {
      expect(refusal(() => findSlots([av], { durationMin }))).toBe('invalid_request');
    }
    expect(refusal(() => findSlots([av], { durationMin: 30, limit: 0 }))).toBe('invalid_request');
    expect(refusal(() => findSlots([], { durationMin: 30 }))).toBe('invalid_request');
    // A hand-made Availability with a broken window is refused as well, before any scoring.
    const broken = { ...av, window: { start: T0, end: Number.POSITIVE_INFINITY } };
    expect(refusal(() => findSlots([broken], { durationMin: 30 }))).toBe('invalid_window');
  });

  it('[SLT7] the work (shared window ÷ grid × participants) is counted before scoring: at the cap it answers, one over it is request_too_large', () => {
    const window = { start: T0, end: T0 + 10 * DAY };
    const people = [0, 1, 2, 3].map((i) => avail(window, [], undefined, undefined, `p${i}`));
    const req = { durationMin: 30, granularityMin: 15 };
    // 10 days on a 15-minute grid = 960 starts, each scored for 4 people.
    expect(checkSearch(people, req).work).toBe(960 * 4);
    const atCap: SearchLimits = { ...DEFAULT_SEARCH_LIMITS, maxWork: 960 * 4 };
    expect(findSlots(people, req, atCap).length).toBeGreaterThan(0);
    const below: SearchLimits = { ...DEFAULT_SEARCH_LIMITS, maxWork: 960 * 4 - 1 };
    expect(refusal(() => findSlots(people, req, below))).toBe('request_too_large');
    expect(refusal(() => findSlots(people, req, { ...DEFAULT_SEARCH_LIMITS, maxParticipants: 3 }))).toBe(
      'request_too_large',
    );
    // The window every participant shares is what counts: a later start for one shrinks the search.
    const late = avail({ start: T0 + 5 * DAY, end: window.end }, [], undefined, undefined, 'late');
    expect(checkSearch([...people, late], req).work).toBe(480 * 5);
  });

  it('[SLT7] the audit’s case, 50 people over 5 years on a 1-minute grid, is refused up front with the default limits', () => {
    const fiveYears = { start: T0, end: T0 + 5 * 365 * DAY };
    expect(refusal(() => avail(fiveYears))).toBe('invalid_window');
    // Even if availability were computed (limits raised only for that step), the search is refused
    // before a single start is scored: the count alone is ~131 million pairs.
    const wide: SearchLimits = { ...DEFAULT_SEARCH_LIMITS, maxWindowMs: 6 * 365 * DAY };
    const one = avail(fiveYears, [], undefined, wide);
    const fifty = Array.from({ length: 50 }, (_, i) => ({ ...one, participantId: `p${i}` }));
    const req = { durationMin: 30, granularityMin: 1 };
    expect(checkSearch(fifty, req, { ...wide, maxWork: Number.MAX_SAFE_INTEGER }).work).toBe(
      5 * 365 * 1440 * 50,
    );
    expect(refusal(() => findSlots(fifty, req, wide))).toBe('request_too_large');
    expect(refusal(() => findSlots(fifty, req))).toBe('invalid_window');
  });

  it('[SLT7] the starts findSlots can score never exceed the work it counted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 20 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom(1, 5, 15, 30, 60),
        fc.integer({ min: 5, max: 120 }),
        (spans, granularityMin, durationMin) => {
          const avs = spans.map(([from, days], i) =>
            avail(
              { start: T0 + from * DAY, end: T0 + (from + days) * DAY },
              [],
              undefined,
              undefined,
              `p${i}`,
            ),
          );
          const req = { durationMin, granularityMin };
          const { window, work } = checkSearch(avs, req, { ...DEFAULT_SEARCH_LIMITS, maxWork: 1e9 });
          const step = granularityMin * MINUTE;
          let starts = 0;
          for (const iv of clip(commonFree(avs), window)) {
            for (let s = Math.ceil(iv.start / step) * step; s + durationMin * MINUTE <= iv.end; s += step)
              starts++;
          }
          expect(starts * avs.length).toBeLessThanOrEqual(work);
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });
});

describe('unreadable events', () => {
  const window = { start: T0, end: T0 + 2 * DAY };
  const good: CachedEvent = {
    id: 'ok',
    kind: 'timed',
    calendarId: 'c',
    status: 'busy',
    start: T0 + 15 * 3_600_000,
    end: T0 + 16 * 3_600_000,
  };
  const bad: CachedEvent[] = [
    { ...good, id: 'nan', start: Number.NaN },
    { ...good, id: 'inf', end: Number.POSITIVE_INFINITY },
    { ...good, id: 'reversed', start: good.end, end: good.start },
    {
      id: 'feb30',
      kind: 'allDay',
      calendarId: 'c',
      status: 'busy',
      startDate: '2025-02-30',
      endDate: '2025-03-01',
    },
    {
      id: 'month13',
      kind: 'allDay',
      calendarId: 'c',
      status: 'busy',
      startDate: '2025-13-01',
      endDate: '2025-13-02',
    },
    {
      id: 'text',
      kind: 'allDay',
      calendarId: 'c',
      status: 'busy',
      startDate: 'tomorrow',
      endDate: '2025-01-08',
    },
    {
      id: 'reversedDays',
      kind: 'allDay',
      calendarId: 'c',
      status: 'busy',
      startDate: '2025-01-08',
      endDate: '2025-01-07',
    },
  ];

  it('[AVL7] an event whose times cannot be read makes its calendar unknown over the whole window, never free', () => {
    expect(avail(window, [good]).free.length).toBeGreaterThan(0);
    for (const e of bad) {
      expect(avail(window, [good, e]).free, e.id).toEqual([]);
      // Also when the snapshot does not list that calendar's coverage.
      expect(avail(window, [{ ...e, calendarId: 'other' }]).free, e.id).toEqual([]);
    }
    // Another calendar's broken event does not hide this one's known time… but still blocks everything,
    // because where that event lies is unknown.
    const two = [
      { calendarId: 'c', known: [window] },
      { calendarId: 'd', known: [window] },
    ];
    expect(avail(window, [good, { ...bad[0]!, calendarId: 'd' }], two).free).toEqual([]);
    // A free or declined event never blocks, readable or not.
    expect(avail(window, [good, { ...bad[0]!, status: 'free' }]).free.length).toBeGreaterThan(0);
    // Coverage with NaN bounds is not coverage.
    expect(
      avail(window, [good], [{ calendarId: 'c', known: [{ start: Number.NaN, end: window.end }] }]).free,
    ).toEqual([]);
  });
});
