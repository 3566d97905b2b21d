import type { CalendarCache, CalendarSnapshot } from './calendar-cache';
import { SchedulingError } from './errors';
import { DAY, MINUTE, type Interval, clip, intersect, normalize, subtract, unionOfBounds } from './interval';
import { DEFAULT_SEARCH_LIMITS, type SearchLimits, checkWindow, isEpoch } from './limits';
import { type Preferences, type Weekday, WEEKDAYS, clockMinutes, type WeeklyHours } from './preferences';
import {
  type ZoneTable,
  dayFromIsoDate,
  instantAt,
  isoDateFromDay,
  isoWeekday,
  localDay,
  zoneTable,
} from './zone';

/** One participant's time, as normalised epoch-ms intervals. */
export interface Availability {
  readonly participantId: string;
  readonly zone: ZoneTable;
  readonly window: Interval;
  /** Meeting hours (inside working hours), clipped to the window: the "inside their hours" test. */
  readonly hours: readonly Interval[];
  /** Time a new meeting may take: hours minus everything that blocks it. Always inside `hours`. */
  readonly free: readonly Interval[];
  /** preferred[w-1]: normalised time inside preferred windows of weight >= w (w = 1..3). */
  readonly preferred: readonly [Interval[], Interval[], Interval[]];
  readonly minFocusBlockMs: number;
  /** Per ISO weekday (index 0 = Monday): middle and half-length of meeting hours, in local minutes. */
  readonly dayShape: readonly DayShape[];
}

export interface DayShape {
  readonly centerMin: number;
  readonly halfMin: number;
}

function dayShapes(hours: WeeklyHours): DayShape[] {
  return WEEKDAYS.map((d) => {
    const list = hours[d];
    if (list.length === 0) return { centerMin: 720, halfMin: 0 };
    const first = Math.min(...list.map((r) => clockMinutes(r.start)));
    const last = Math.max(...list.map((r) => clockMinutes(r.end)));
    return { centerMin: (first + last) / 2, halfMin: (last - first) / 2 };
  });
}

export interface AvailabilityInput {
  readonly participantId: string;
  readonly preferences: Preferences;
  readonly snapshot: CalendarSnapshot;
  readonly window: Interval;
  readonly now: number;
}

function weekdayName(day: number): Weekday {
  return WEEKDAYS[isoWeekday(day) - 1]!;
}

function dailyRanges(zone: ZoneTable, days: readonly number[], hours: WeeklyHours): Interval[] {
  const out: Interval[] = [];
  for (const d of days) {
    for (const r of hours[weekdayName(d)]) {
      out.push({
        start: instantAt(zone, d, clockMinutes(r.start)),
        end: instantAt(zone, d, clockMinutes(r.end)),
      });
    }
  }
  return out;
}

/** A 'YYYY-MM-DD' that names a real day (not 2024-02-30) → its day number; NaN otherwise. */
function readDate(date: unknown): number {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return Number.NaN;
  const day = dayFromIsoDate(date);
  return Number.isFinite(day) && isoDateFromDay(day) === date ? day : Number.NaN;
}

/**
 * AVL rules: availability = meeting hours ∩ working hours, minus no-meeting days, protected blocks,
 * busy and tentative events (widened by the buffers), all-day busy days, days already at the meeting
 * limit, time no calendar can vouch for, and time before the minimum notice.
 */
export function computeAvailability(
  input: AvailabilityInput,
  limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
): Availability {
  const { preferences: prefs, snapshot, window, now } = input;
  // [SLT7] Before any zone lookup or loop over days: typed, and bounded in work.
  checkWindow(window, limits);
  if (!isEpoch(now)) {
    // A NaN "now" would silently drop the minimum notice.
    throw new SchedulingError('invalid_request', 'now must be finite epoch milliseconds.');
  }
  const zone = zoneTable(prefs.timeZone, window.start, window.end);
  // One extra local day either side: a window edge can fall on a different local date than UTC.
  const firstDay = localDay(zone, window.start) - 1;
  const lastDay = localDay(zone, window.end) + 1;
  const days: number[] = [];
  for (let d = firstDay; d <= lastDay; d++) days.push(d);

  const working = normalize(dailyRanges(zone, days, prefs.workingHours));
  const meeting = prefs.meetingHours ? normalize(dailyRanges(zone, days, prefs.meetingHours)) : working;
  const hours = clip(intersect(working, meeting), window);

  const blocked: Interval[] = [];
  const dayInterval = (d: number): Interval => ({
    start: instantAt(zone, d, 0),
    end: instantAt(zone, d + 1, 0),
  });
  const noMeeting = new Set(prefs.noMeetingDays);
  const noMeetingDates = new Set(prefs.noMeetingDates.map(dayFromIsoDate));
  for (const d of days) {
    if (noMeeting.has(weekdayName(d)) || noMeetingDates.has(d)) blocked.push(dayInterval(d));
    for (const b of prefs.protectedBlocks) {
      if (b.days.includes(weekdayName(d))) {
        blocked.push({
          start: instantAt(zone, d, clockMinutes(b.range.start)),
          end: instantAt(zone, d, clockMinutes(b.range.end)),
        });
      }
    }
  }

  const before = prefs.bufferBeforeMin * MINUTE;
  const after = prefs.bufferAfterMin * MINUTE;
  const countPerDay = prefs.maxMeetingsPerDay !== null;
  const perDay = new Map<number, number>();
  // Busy time goes into flat arrays: thousands of events are the hot path (see unionOfBounds).
  const events = snapshot.events;
  const busyStarts = new Float64Array(events.length);
  const busyEnds = new Float64Array(events.length);
  let nBusy = 0;
  // [AVL7] Calendars holding an event whose times cannot be read: where it lies is unknown.
  const unreadable = new Set<string>();
  for (const e of events) {
    if (e.status === 'free' || e.declined || e.cancelled) continue;
    if (e.status === 'tentative' && !prefs.tentativeIsBusy) continue;
    if (e.kind === 'timed') {
      if (!(Number.isFinite(e.start) && Number.isFinite(e.end) && e.end >= e.start)) {
        unreadable.add(e.calendarId);
        continue;
      }
      if (e.end === e.start) continue;
      // A new meeting needs `before` free ahead of it and `after` behind it: widen the busy event.
      busyStarts[nBusy] = e.start - after;
      busyEnds[nBusy++] = e.end + before;
      if (countPerDay) {
        const d = localDay(zone, e.start);
        perDay.set(d, (perDay.get(d) ?? 0) + 1);
      }
    } else {
      const s = readDate(e.startDate);
      const end = readDate(e.endDate);
      if (!(end >= s)) unreadable.add(e.calendarId);
      else if (end > s) blocked.push({ start: instantAt(zone, s, 0), end: instantAt(zone, end, 0) });
    }
  }
  if (prefs.maxMeetingsPerDay !== null) {
    for (const [d, count] of perDay) if (count >= prefs.maxMeetingsPerDay) blocked.push(dayInterval(d));
    // AVL8: a limit of 0 is no meetings at all, also on days that hold no event yet (perDay lists only those).
    if (prefs.maxMeetingsPerDay === 0) for (const d of days) blocked.push(dayInterval(d));
  }
  const busy = unionOfBounds(busyStarts.subarray(0, nBusy), busyEnds.subarray(0, nBusy));

  // AVL6: a calendar is known only where the cache says it holds a complete copy.
  for (const cal of snapshot.calendars) {
    // normalize drops NaN bounds, so a malformed coverage entry is unknown time, never known.
    const known = unreadable.has(cal.calendarId) ? [] : cal.known;
    for (const gap of subtract([window], normalize(known))) blocked.push(gap);
  }
  // An unreadable event of a calendar the snapshot does not list still blocks everything (AVL7).
  if ([...unreadable].some((id) => !snapshot.calendars.some((c) => c.calendarId === id)))
    blocked.push(window);

  const earliest = now + prefs.minimumNoticeMin * MINUTE;
  if (earliest > window.start) blocked.push({ start: window.start, end: earliest });

  const free = subtract(subtract(hours, normalize(blocked)), busy);

  const byWeight: [Interval[], Interval[], Interval[]] = [[], [], []];
  for (const d of days) {
    for (const p of prefs.preferredTimes) {
      if (!p.days.includes(weekdayName(d))) continue;
      const iv = {
        start: instantAt(zone, d, clockMinutes(p.range.start)),
        end: instantAt(zone, d, clockMinutes(p.range.end)),
      };
      for (let w = 0; w < p.weight; w++) byWeight[w]!.push(iv);
    }
  }
  const preferred: [Interval[], Interval[], Interval[]] = [
    normalize(byWeight[0]),
    normalize(byWeight[1]),
    normalize(byWeight[2]),
  ];

  return {
    participantId: input.participantId,
    zone,
    window,
    hours,
    free,
    preferred,
    minFocusBlockMs: prefs.minFocusBlockMin * MINUTE,
    dayShape: dayShapes(prefs.meetingHours ?? prefs.workingHours),
  };
}

/** Reads the cache, then computes. */
export async function availabilityFromCache(
  cache: CalendarCache,
  input: Omit<AvailabilityInput, 'snapshot'>,
  limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
): Promise<Availability> {
  // [SLT7] Refused before the cache is asked for an absurd range.
  checkWindow(input.window, limits);
  // All-day events and buffers reach a day beyond the window.
  const snapshot = await cache.snapshot({ start: input.window.start - DAY, end: input.window.end + DAY });
  return computeAvailability({ ...input, snapshot }, limits);
}
