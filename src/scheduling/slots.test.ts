import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { type Availability, computeAvailability } from './availability';
import type { CachedEvent, CalendarCoverage } from './calendar-cache';
import { HOUR, MINUTE, type Interval } from './interval';
import {
  type Preferences,
  type PreferencesInput,
  WEEKDAYS,
  clockMinutes,
  parsePreferences,
} from './preferences';
import { scoreValue } from './score';
import { findSlots } from './slots';

const CELL = 5 * MINUTE;
// Windows that straddle real DST changes (and Apia's skipped day).
const ANCHORS = [
  '2024-03-09',
  '2024-03-30',
  '2024-04-06',
  '2024-10-05',
  '2024-11-02',
  '2020-04-04',
  '2020-09-26',
  '2011-12-29',
  '2024-09-07',
];
const ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Pacific/Apia',
  'America/Santiago',
  'Asia/Kathmandu',
  'Asia/Kolkata',
];

interface Person {
  id: string;
  prefs: Preferences;
  events: CachedEvent[];
  calendars: CalendarCoverage[];
}
interface Case {
  window: Interval;
  now: number;
  people: Person[];
  durationMin: number;
  granularityMin: number;
}

const grid = (min: number, max: number, step: number) =>
  fc.integer({ min: min / step, max: max / step }).map((x) => x * step);
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
// Ranges stay within 05:00–22:00 local: DST folds in these zones happen at night, and the wall-clock
// reference below reads a fold's repeated hour differently from AVL3 (by design).
const arbRange = fc
  .tuple(grid(300, 1290, 30), grid(30, 600, 30))
  .map(([s, l]) => ({ start: hhmm(s), end: hhmm(Math.min(1320, s + l)) }));
const wideRange = fc
  .tuple(grid(300, 480, 30), grid(720, 1020, 30))
  .map(([st, l]) => ({ start: hhmm(st), end: hhmm(Math.min(1320, st + l)) }));
const arbWeek = fc.oneof(
  { weight: 6, arbitrary: wideRange.map((r) => Object.fromEntries(WEEKDAYS.map((d) => [d, [r]]))) },
  {
    weight: 1,
    arbitrary: fc
      .array(arbRange, { maxLength: 2 })
      .chain((r) =>
        fc.record(
          Object.fromEntries(
            WEEKDAYS.map((d) => [d, fc.oneof(fc.constant(r), fc.array(arbRange, { maxLength: 2 }))]),
          ),
        ),
      ),
  },
);

function arbPerson(id: string, window: Interval, zones: string[]): fc.Arbitrary<Person> {
  const span = window.end - window.start;
  const timed = fc
    .record({
      start: grid(window.start - 6 * HOUR, window.end, CELL),
      len: grid(CELL, 2 * HOUR, CELL),
      status: fc.constantFrom('busy', 'tentative', 'free') as fc.Arbitrary<'busy' | 'tentative' | 'free'>,
      declined: fc.boolean(),
      calendarId: fc.constantFrom('a', 'b'),
    })
    .map((e): CachedEvent => ({
      id: 't',
      kind: 'timed',
      calendarId: e.calendarId,
      start: e.start,
      end: e.start + e.len,
      status: e.status,
      declined: e.declined,
    }));
  const allDay = fc.integer({ min: -1, max: 2 }).map((k): CachedEvent => ({
    id: `d${k}`,
    kind: 'allDay',
    calendarId: 'a',
    status: 'busy',
    startDate: new Date(window.start + k * 24 * HOUR).toISOString().slice(0, 10),
    endDate: new Date(window.start + (k + 1) * 24 * HOUR).toISOString().slice(0, 10),
  }));
  const coverage = fc.constantFrom<'full' | 'partial' | 'unknown'>(
    'full',
    'full',
    'full',
    'full',
    'full',
    'full',
    'full',
    'full',
    'partial',
    'unknown',
  );
  return fc
    .record({
      zone: fc.constantFrom(...zones),
      working: arbWeek,
      meeting: fc.option(arbWeek, { nil: undefined, freq: 3 }),
      before: fc.constantFrom(0, 5, 15),
      after: fc.constantFrom(0, 10),
      notice: grid(0, 180, 5),
      max: fc.constantFrom(null, null, null, null, null, null, 1, 2, 4),
      noMeetingDays: fc.option(fc.subarray([...WEEKDAYS], { maxLength: 1 }), { nil: [], freq: 3 }),
      protectedBlocks: fc.array(
        fc.record({
          kind: fc.constantFrom('lunch', 'focus') as fc.Arbitrary<'lunch' | 'focus'>,
          days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
          range: arbRange,
        }),
        { maxLength: 1 },
      ),
      preferredTimes: fc.array(
        fc.record({
          days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
          range: arbRange,
          weight: fc.integer({ min: 1, max: 3 }),
        }),
        { maxLength: 2 },
      ),
      focus: fc.constantFrom(0, 60, 90),
      tentativeIsBusy: fc.boolean(),
      timed: fc.array(timed, { maxLength: 7 }),
      allDay: fc.option(allDay, { nil: undefined, freq: 8 }).map((e) => (e ? [e] : [])),
      coverageB: coverage,
      cut: grid(0, span, CELL),
    })
    .map((r) => {
      const input: PreferencesInput = {
        timeZone: r.zone,
        workingHours: r.working as PreferencesInput['workingHours'],
        meetingHours: r.meeting as PreferencesInput['meetingHours'],
        bufferBeforeMin: r.before,
        bufferAfterMin: r.after,
        minimumNoticeMin: r.notice,
        maxMeetingsPerDay: r.max,
        noMeetingDays: r.noMeetingDays,
        protectedBlocks: r.protectedBlocks,
        preferredTimes: r.preferredTimes,
        minFocusBlockMin: r.focus,
        tentativeIsBusy: r.tentativeIsBusy,
      };
      const known: Interval[] =
        r.coverageB === 'full'
          ? [{ start: window.start - 48 * HOUR, end: window.end + 48 * HOUR }]
          : r.coverageB === 'partial'
            ? [{ start: window.start - 48 * HOUR, end: window.start + r.cut }]
            : [];
      return {
        id,
        prefs: parsePreferences(input),
        events: [...r.timed.map((e, i) => ({ ...e, id: `t${i}` })), ...r.allDay],
        calendars: [
          { calendarId: 'a', known: [{ start: window.start - 48 * HOUR, end: window.end + 48 * HOUR }] },
          { calendarId: 'b', known },
        ],
      };
    });
}

const arbCase: fc.Arbitrary<Case> = fc
  .record({
    anchor: fc.constantFrom(...ANCHORS),
    n: fc.integer({ min: 1, max: 3 }),
    offsetH: fc.integer({ min: -14, max: 14 }),
    // Two zones per case at most, so participants' hours overlap often enough to test ranking.
    zones: fc.shuffledSubarray(ZONES, { minLength: 1, maxLength: 2 }),
  })
  .chain(({ anchor, n, offsetH, zones }) => {
    const start = Date.parse(`${anchor}T00:00:00Z`) + offsetH * HOUR;
    const window = { start, end: start + 48 * HOUR };
    return fc.record({
      window: fc.constant(window),
      now: grid(window.start - 2 * HOUR, window.start + 20 * HOUR, CELL),
      people: fc.tuple(...Array.from({ length: n }, (_, i) => arbPerson(`p${i}`, window, zones))),
      durationMin: fc.constantFrom(15, 30, 60, 90),
      granularityMin: fc.constantFrom(15, 30),
    });
  });

function availabilities(c: Case, reorder = false): Availability[] {
  return c.people.map((p) =>
    computeAvailability({
      participantId: p.id,
      preferences: p.prefs,
      snapshot: { events: reorder ? [...p.events].reverse() : p.events, calendars: p.calendars },
      window: c.window,
      now: c.now,
    }),
  );
}

/**
 * Independent reference: decides every 5-minute cell from the person's own wall clock, asking
 * Temporal for each cell, with no interval algebra and no zone table.
 */
function freeCells(p: Person, c: Case): Uint8Array {
  const { prefs } = p;
  const n = (c.window.end - c.window.start) / CELL;
  const out = new Uint8Array(n);
  const local = (t: number) => Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(prefs.timeZone);
  const inRanges = (list: readonly { start: string; end: string }[], m: number) =>
    list.some((r) => m >= clockMinutes(r.start) && m < clockMinutes(r.end));
  const perDay = new Map<string, number>();
  const counts = (e: CachedEvent) =>
    e.status !== 'free' && !e.declined && !e.cancelled && (e.status === 'busy' || prefs.tentativeIsBusy);
  for (const e of p.events) {
    if (e.kind === 'timed' && counts(e) && e.end > e.start) {
      const d = local(e.start).toPlainDate().toString();
      perDay.set(d, (perDay.get(d) ?? 0) + 1);
    }
  }
  for (let k = 0; k < n; k++) {
    const t = c.window.start + k * CELL;
    const z = local(t);
    const day = WEEKDAYS[z.dayOfWeek - 1]!;
    const date = z.toPlainDate().toString();
    const m = z.hour * 60 + z.minute;
    let ok =
      inRanges(prefs.workingHours[day], m) && (!prefs.meetingHours || inRanges(prefs.meetingHours[day], m));
    ok &&= !prefs.noMeetingDays.includes(day) && !prefs.noMeetingDates.includes(date);
    ok &&= !prefs.protectedBlocks.some((b) => b.days.includes(day) && inRanges([b.range], m));
    ok &&= t >= c.now + prefs.minimumNoticeMin * MINUTE;
    ok &&= prefs.maxMeetingsPerDay === null || (perDay.get(date) ?? 0) < prefs.maxMeetingsPerDay;
    ok &&= p.calendars.every((cal) => cal.known.some((i) => i.start <= t && t + CELL <= i.end));
    for (const e of p.events) {
      if (!ok) break;
      if (!counts(e)) continue;
      if (e.kind === 'timed') {
        ok = !(
          t < e.end + prefs.bufferBeforeMin * MINUTE && t + CELL > e.start - prefs.bufferAfterMin * MINUTE
        );
      } else {
        ok = !(date >= e.startDate && date < e.endDate);
      }
    }
    out[k] = ok ? 1 : 0;
  }
  return out;
}

function bruteForce(c: Case, avs: Availability[], limit: number): { start: number; score: number }[] {
  const cells = c.people.map((p) => freeCells(p, c));
  const d = c.durationMin * MINUTE;
  const step = c.granularityMin * MINUTE;
  const all: { start: number; score: number }[] = [];
  for (let s = Math.ceil(c.window.start / step) * step; s + d <= c.window.end; s += step) {
    const k0 = (s - c.window.start) / CELL;
    let ok = true;
    for (const f of cells) for (let k = k0; ok && k < k0 + d / CELL; k++) ok = f[k] === 1;
    if (ok) all.push({ start: s, score: scoreValue(avs, s, s + d) });
  }
  all.sort((a, b) => b.score - a.score || a.start - b.start);
  return all.slice(0, limit);
}

describe('findSlots', () => {
  it('[SLT1][SLT3] returns exactly the best slots a brute-force cell scan finds, free for all and inside everyone’s hours', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const avs = availabilities(c);
        const slots = findSlots(avs, {
          durationMin: c.durationMin,
          granularityMin: c.granularityMin,
          limit: 6,
        });
        const ref = bruteForce(c, avs, 6);
        expect(slots.map((s) => [s.start, s.score])).toEqual(ref.map((r) => [r.start, r.score]));
      }),
      { seed: 20240310, numRuns: 100 },
    );
  });

  it('[SLT6] results do not depend on the order of events', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const req = { durationMin: c.durationMin, granularityMin: c.granularityMin, limit: 5 };
        expect(findSlots(availabilities(c, true), req)).toEqual(findSlots(availabilities(c), req));
      }),
      { seed: 11, numRuns: 40 },
    );
  });

  it('[SLT2][SLT5] starts sit on epoch multiples of the granularity; equal scores go to the earlier start', () => {
    const prefs = parsePreferences({
      timeZone: 'Asia/Kathmandu',
      workingHours: { mon: [{ start: '09:00', end: '12:00' }] },
      minFocusBlockMin: 0,
    });
    const window = { start: Date.UTC(2024, 5, 10, 0), end: Date.UTC(2024, 5, 11) };
    const av = computeAvailability({
      participantId: 'k',
      preferences: prefs,
      snapshot: { events: [], calendars: [] },
      window,
      now: 0,
    });
    const slots = findSlots([av], { durationMin: 30, granularityMin: 30, limit: 20 });
    expect(slots.length).toBeGreaterThan(0);
    for (const s of slots) {
      expect(s.start % (30 * MINUTE)).toBe(0);
      expect(s.participants[0]!.local).toMatch(/:(15|45) /); // UTC+05:45 reads quarter past / to
    }
    for (let i = 1; i < slots.length; i++) {
      const [a, b] = [slots[i - 1]!, slots[i]!];
      expect(a.score > b.score || (a.score === b.score && a.start < b.start)).toBe(true);
    }
    // Symmetric around the middle of the day: equal scores exist, and the earlier one comes first.
    expect(slots.some((s, i) => i > 0 && s.score === slots[i - 1]!.score)).toBe(true);
  });

  it('[SLT4] a slot in everyone’s preferred time outranks any slot outside it, and explains why', () => {
    const prefs = parsePreferences({
      timeZone: 'Europe/Berlin',
      workingHours: { mon: [{ start: '08:00', end: '18:00' }] },
      preferredTimes: [{ days: ['mon'], range: { start: '16:00', end: '17:00' }, weight: 3 }],
    });
    const window = { start: Date.UTC(2024, 5, 10), end: Date.UTC(2024, 5, 11) };
    const av = computeAvailability({
      participantId: 'me',
      preferences: prefs,
      snapshot: { events: [], calendars: [] },
      window,
      now: 0,
    });
    const [best, second] = findSlots([av], { durationMin: 30, limit: 3 });
    expect(best!.start).toBe(Date.UTC(2024, 5, 10, 14, 0)); // 16:00 Berlin (UTC+2)
    expect(second!.start).toBe(Date.UTC(2024, 5, 10, 14, 30));
    expect(best!.reasons[0]!.text).toContain('preferred times of 1 of 1');
    expect(best!.participants[0]!.local).toBe('Mon 2024-06-10 16:00 (UTC+02:00)');
  });

  it('[SLT3] spreads inconvenience fairly: the middle of the overlap beats one person’s early morning', () => {
    const mk = (tz: string) =>
      parsePreferences({
        timeZone: tz,
        workingHours: { tue: [{ start: '08:00', end: '18:00' }] },
        minFocusBlockMin: 0,
      });
    const window = { start: Date.UTC(2024, 5, 11), end: Date.UTC(2024, 5, 12) };
    const avs = ['America/New_York', 'Europe/London'].map((tz) =>
      computeAvailability({
        participantId: tz,
        preferences: mk(tz),
        snapshot: { events: [], calendars: [] },
        window,
        now: 0,
      }),
    );
    const [best] = findSlots(avs, { durationMin: 60, limit: 1 });
    // Overlap is 13:00–17:00 London = 08:00–12:00 New York; the fair choice sits between the edges.
    expect(best!.participants.map((p) => p.local)).toEqual([
      'Tue 2024-06-11 10:00 (UTC-04:00)',
      'Tue 2024-06-11 15:00 (UTC+01:00)',
    ]);
  });

  it('[SLT3] prefers slots that do not leave a short unusable gap', () => {
    const prefs = parsePreferences({
      timeZone: 'UTC',
      workingHours: { wed: [{ start: '09:00', end: '13:00' }] },
      minFocusBlockMin: 60,
    });
    const window = { start: Date.UTC(2024, 5, 12), end: Date.UTC(2024, 5, 13) };
    const events: CachedEvent[] = [
      {
        id: 'x',
        kind: 'timed',
        calendarId: 'a',
        status: 'busy',
        start: Date.UTC(2024, 5, 12, 10),
        end: Date.UTC(2024, 5, 12, 11),
      },
    ];
    const av = computeAvailability({
      participantId: 'me',
      preferences: prefs,
      snapshot: { events, calendars: [] },
      window,
      now: 0,
    });
    const slots = findSlots([av], { durationMin: 30, limit: 6 });
    const byStart = new Map(
      slots.map((s) => [new Date(s.start).toISOString().slice(11, 16), s.reasons[3]!.points]),
    );
    expect(byStart.get('11:00')).toBeGreaterThan(byStart.get('11:30')!);
  });
});
