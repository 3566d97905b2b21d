import ICAL from 'ical.js';
import type { SyncWindow } from './cache';
import { CalendarError } from './errors';
import type { EventDateTime, GEvent } from './schemas';
import { instantRange, isIanaZone } from './time';

type Component = InstanceType<typeof ICAL.Component>;
type IcalEvent = InstanceType<typeof ICAL.Event>;
type Time = InstanceType<typeof ICAL.Time>;
type Period = InstanceType<typeof ICAL.Period>;

/*
 * iCalendar (RFC 5545) → the events the Google path caches (rules ICS*, docs/protocol/calendar.md).
 * ical.js parses the file, expands recurrences (RRULE, RDATE, EXDATE) and relates exceptions
 * (RECURRENCE-ID, also RANGE=THISANDFUTURE); this module bounds the expansion to the sync window, caps
 * it, and turns every occurrence into the shape `toCached` reads for Google's events, so the cache,
 * free/busy and availability are one path for both sources.
 */

export interface IcsLimits {
  /** Largest file read, in UTF-8 bytes. */
  maxBytes: number;
  /** Occurrences kept inside the window, over the whole file. */
  maxInstances: number;
  /** Recurrence steps taken (inside the window or before it), over the whole file. */
  maxSteps: number;
}

export const ICS_LIMITS: IcsLimits = {
  // A decade of a busy work calendar exported by Google is ≈ 2–3 MB.
  maxBytes: 5 * 1024 * 1024,
  maxInstances: 20_000,
  // ical.js takes ≈ 0.1–1 ms a step on a slow machine: a bounded, background cost.
  maxSteps: 200_000,
};

export interface IcsCalendar {
  /** X-WR-CALNAME, when the file names itself. */
  name?: string;
  /** X-WR-TIMEZONE when it is an IANA zone, else the zone the caller gave (the person's). */
  timeZone: string;
  /**
   * Every occurrence overlapping the window (placed by TIM2 in `timeZone`), as Google would list it with
   * `singleEvents=true`.
   */
  events: GEvent[];
}

export interface ReadIcsOptions {
  window: SyncWindow;
  /** Where floating times and all-day dates are placed when the file does not say (X-WR-TIMEZONE). */
  defaultZone: string;
  limits?: Partial<IcsLimits>;
}

const DAY = 86_400_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
/** Slack around the window for comparisons made before the exact zone is applied (offsets ≤ ±14 h). */
const SLACK = 2 * DAY;

/** [ICS1] The size cap, in UTF-8 bytes, without encoding the whole text. */
export function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * [ICS1]–[ICS6] Reads an iCalendar file into the occurrences that overlap `window`. Throws only
 * `CalendarError`s: `ics_too_large`, `ics_invalid`, `ics_too_many_events`, and the time errors of
 * TIM3 (`unknown_time_zone`, `bad_response`) raised later when the events are placed.
 */
export function readIcs(text: string, opts: ReadIcsOptions): IcsCalendar {
  const limits = { ...ICS_LIMITS, ...opts.limits };
  if (utf8Bytes(text) > limits.maxBytes) throw tooLarge(limits.maxBytes);
  // [ICS1] Not a calendar at all (an HTML login page, a JSON error): said before ical.js tries.
  if (!/^\s*BEGIN:VCALENDAR\r?$/im.test(text.slice(0, 1024)))
    throw invalid('It does not start with BEGIN:VCALENDAR.');
  let roots: Component[];
  try {
    const parsed = ICAL.parse(text) as unknown[];
    // One calendar parses to one jCal array; several concatenated calendars to an array of them.
    const list = typeof parsed[0] === 'string' ? [parsed] : parsed;
    roots = list.map((jcal) => new ICAL.Component(jcal as unknown[] as never));
  } catch (cause) {
    // ical.js's parser error: the file is not iCalendar. Its message may quote the file: not kept.
    throw invalid('It is not valid iCalendar.', cause);
  }
  const calendars = roots.filter((r) => r.name === 'vcalendar');
  if (calendars.length === 0) throw invalid('It holds no VCALENDAR.');

  const first = calendars[0]!;
  const name = stringProp(first, 'x-wr-calname')?.trim().slice(0, 200);
  const fileZone = stringProp(first, 'x-wr-timezone')?.trim();
  const timeZone = fileZone && isIanaZone(fileZone) ? fileZone : opts.defaultZone;

  const from = Date.parse(opts.window.timeMin);
  const to = Date.parse(opts.window.timeMax);
  const budget = { instances: limits.maxInstances, steps: limits.maxSteps };
  const events: GEvent[] = [];
  try {
    for (const cal of calendars) {
      // Group by UID: the series (no RECURRENCE-ID) and its exceptions (RECURRENCE-ID) travel together.
      const byUid = new Map<string, { master?: Component; exceptions: Component[] }>();
      let anonymous = 0;
      for (const comp of cal.getAllSubcomponents('vevent')) {
        const uid = stringProp(comp, 'uid') ?? `no-uid-${anonymous++}`;
        const group = byUid.get(uid) ?? { exceptions: [] };
        if (comp.hasProperty('recurrence-id')) group.exceptions.push(comp);
        else if (!group.master || sequence(comp) >= sequence(group.master)) group.master = comp;
        byUid.set(uid, group);
      }
      for (const [uid, group] of byUid)
        expandSeries(uid, group, { from, to, zone: timeZone }, budget, events);
    }
  } catch (cause) {
    // [TIM3] A date that is no date (month 13) is the file's fault: said as such. An unknown zone stays.
    if (cause instanceof CalendarError && cause.code === 'bad_response')
      throw invalid('An event has a start or end that is not a real date and time.', cause);
    if (cause instanceof CalendarError) throw cause;
    // ical.js throws plain Errors on values it cannot read (a date like 2024-13-45, a broken RRULE).
    throw invalid('An event in it cannot be read.', cause);
  }
  return { ...(name ? { name } : {}), timeZone, events };
}

function expandSeries(
  uid: string,
  group: { master?: Component; exceptions: Component[] },
  window: { from: number; to: number; zone: string },
  budget: { instances: number; steps: number },
  out: GEvent[],
): void {
  const emit = (e: GEvent) => {
    // Exactly as the cache will place it (TIM2): only what overlaps the window is kept and counted.
    const { startMs, endMs } = instantRange(e.start!, e.end!, window.zone);
    if (!(endMs > window.from && startMs < window.to)) return;
    if (--budget.instances < 0) throw tooMany();
    out.push(e);
  };
  const master = group.master;
  if (!master) {
    // [ICS4] Exceptions without their series (an invitation to one instance): each is an event.
    for (const comp of group.exceptions) {
      const ev = new ICAL.Event(comp);
      const item = occurrence(uid, ev, ev.startDate, ev.endDate, ev.recurrenceId, comp);
      if (item && overlaps(ev.startDate, ev.endDate, window)) emit(item);
    }
    return;
  }
  if (!master.hasProperty('dtstart')) throw invalid('An event has no start (DTSTART).');
  const event = new ICAL.Event(master, { strictExceptions: false });
  if (!event.isRecurring()) {
    if (overlaps(event.startDate, event.endDate, window)) {
      const item = occurrence(uid, event, event.startDate, event.endDate, undefined, master);
      if (item) emit(item);
    }
    return;
  }
  for (const comp of group.exceptions) event.relateException(comp);
  // [ICS3] The expansion runs from DTSTART (RRULE semantics need it) and stops at the window's end,
  // whatever COUNT or UNTIL say; every step counts against the budget, kept or not.
  const durationMs = Math.max(0, event.duration.toSeconds() * 1000);
  const seen = new Set<string>();
  const it = event.iterator(fastForward(event, master, window.from - SLACK - durationMs));
  for (let step = it.next() as Time | Period | undefined; step; step = it.next() as Time | undefined) {
    if (--budget.steps < 0) throw tooMany();
    // An RDATE given as a PERIOD is an occurrence with its own end.
    const period = step instanceof ICAL.Period ? step : undefined;
    const next = period ? period.start : (step as Time);
    const approx = next.toUnixTime() * 1000;
    if (approx >= window.to + SLACK) break;
    const details = event.getOccurrenceDetails(next);
    seen.add(next.toString()).add(utcString(next));
    const moved = details.item !== event;
    // A moved instance is judged by where it moved to, not by its original slot.
    if (!moved && approx + durationMs < window.from - SLACK) continue;
    const end = !moved && period ? period.getEnd() : details.endDate;
    if (!overlaps(details.startDate, end, window)) continue;
    const item = occurrence(uid, details.item, details.startDate, end, next, details.item.component);
    if (item) emit(item);
  }
  // [ICS4] An instance moved into the window from a slot the expansion did not reach (after the
  // window, or one the rule does not produce) still counts.
  for (const comp of group.exceptions) {
    const ex = new ICAL.Event(comp);
    if (seen.has(ex.recurrenceId.toString()) || seen.has(utcString(ex.recurrenceId))) continue;
    if (!overlaps(ex.startDate, ex.endDate, window)) continue;
    const item = occurrence(uid, ex, ex.startDate, ex.endDate, ex.recurrenceId, comp);
    if (item) emit(item);
  }
}

/**
 * [ICS3] Where the expansion of a long-running simple series may start instead of DTSTART: a later
 * occurrence shortly before the window, so a daily stand-up since 2015 costs days of steps, not years.
 * Only where that start is itself an occurrence and changes nothing after it: one RRULE without COUNT
 * (COUNT counts from DTSTART), DAILY without BY* parts or WEEKLY with at most BYDAY, and an UNTIL (if
 * any) after the target. The shift is whole periods of wall-clock days, so the zone's DST is kept.
 * Exceptions before the new start are still placed (`seen` misses them; the loop after finds them).
 */
function fastForward(event: IcalEvent, master: Component, targetMs: number): Time | undefined {
  const rules = master.getAllProperties('rrule');
  if (rules.length !== 1 || master.hasProperty('rdate')) return undefined;
  const rule = rules[0]!.getFirstValue() as InstanceType<typeof ICAL.Recur>;
  if (rule.count) return undefined;
  const parts = Object.entries(rule.parts ?? {})
    .filter(([, v]) => Array.isArray(v) && v.length > 0)
    .map(([k]) => k);
  const interval = Math.max(1, rule.interval || 1);
  const stepDays =
    rule.freq === 'DAILY' && parts.length === 0
      ? interval
      : rule.freq === 'WEEKLY' && parts.every((k) => k === 'BYDAY')
        ? 7 * interval
        : 0;
  if (stepDays === 0) return undefined;
  const dtstart = event.startDate;
  // DTSTART is an occurrence even off its rule (RFC 5545): a shifted one must be on the rule.
  const byday = rule.parts?.BYDAY as string[] | undefined;
  if (byday && !byday.includes(WEEKDAYS[dtstart.dayOfWeek() - 1]!)) return undefined;
  if (rule.until && rule.until.toUnixTime() * 1000 < targetMs) return undefined;
  // One period of margin for zone offsets (targetMs already has SLACK).
  const periods = Math.floor((targetMs - dtstart.toUnixTime() * 1000) / (stepDays * DAY)) - 1;
  if (periods <= 0) return undefined;
  const start = dtstart.clone();
  start.adjust(periods * stepDays, 0, 0, 0);
  return start;
}

/** A rough overlap test in UTC (floating read as UTC), widened by SLACK; `toCached`'s check is exact. */
function overlaps(start: Time, end: Time, window: { from: number; to: number }): boolean {
  const s = start.toUnixTime() * 1000;
  const e = Math.max(s, end.toUnixTime() * 1000);
  return e > window.from - SLACK && s < window.to + SLACK;
}

/** One occurrence in Google's shape; `undefined` for a cancelled one (STATUS:CANCELLED). */
function occurrence(
  uid: string,
  ev: IcalEvent,
  start: Time,
  end: Time,
  recurrenceId: Time | undefined,
  comp: Component,
): GEvent | undefined {
  const status = stringProp(comp, 'status')?.toUpperCase();
  if (status === 'CANCELLED') return undefined;
  const startTzid = tzidOf(comp, 'dtstart');
  // An instance's end is in DTEND's zone when it has one, else in DTSTART's (DURATION, no end).
  const endTzid = comp.hasProperty('dtend') ? tzidOf(comp, 'dtend') : startTzid;
  // The series' own zone names the occurrence when ical.js computed it from DTSTART.
  const s = toEventDateTime(start, startTzid);
  let e = toEventDateTime(end, endTzid);
  if (start.isDate !== end.isDate) throw invalid('An event mixes an all-day date with a time.');
  if (start.isDate && e.date! <= s.date!) e = { date: nextDay(s.date!) };
  const summary = ev.summary;
  const id = recurrenceId ? `${uid}_${compact(recurrenceId)}` : uid;
  return {
    id,
    iCalUID: uid,
    status: status === 'TENTATIVE' ? 'tentative' : 'confirmed',
    ...(typeof summary === 'string' && summary ? { summary: summary.slice(0, 1000) } : {}),
    start: s,
    end: e,
    ...(recurrenceId ? { recurringEventId: uid } : {}),
    ...(stringProp(comp, 'transp')?.toUpperCase() === 'TRANSPARENT' ? { transparency: 'transparent' } : {}),
  };
}

/**
 * [ICS2] An ical.js time → Google's event time, so TIM2 places it: a date is a date; UTC is `Z`; a TZID
 * this runtime knows (IANA) is wall-clock time in that zone (repeated wall times are the earlier
 * instant, skipped ones move forward: RFC 5545 §3.3.5, as for Google); a zone only the file defines
 * (VTIMEZONE, e.g. Outlook's Windows names) carries the offset ical.js computes from that definition; a
 * TZID nobody defines stays named, and TIM3 refuses it; a floating time is the calendar's wall clock.
 */
function toEventDateTime(t: Time, tzid: string | undefined): EventDateTime {
  const date = `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
  if (t.isDate) return { date };
  const wall = `${date}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
  if (t.zone?.tzid === 'UTC' || tzid === 'UTC') return { dateTime: `${wall}Z` };
  if (tzid && isIanaZone(tzid)) return { dateTime: wall, timeZone: tzid };
  if (tzid && t.zone?.component) {
    const offset = t.utcOffset();
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return { dateTime: `${wall}${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}` };
  }
  if (tzid) return { dateTime: wall, timeZone: tzid };
  return { dateTime: wall };
}

function tzidOf(comp: Component, prop: string): string | undefined {
  const p = comp.getFirstProperty(prop);
  const tzid = p?.getParameter('tzid');
  return typeof tzid === 'string' && tzid ? tzid : undefined;
}

function stringProp(comp: Component, name: string): string | undefined {
  const v = comp.getFirstPropertyValue(name);
  return typeof v === 'string' ? v : undefined;
}

function sequence(comp: Component): number {
  const v = comp.getFirstPropertyValue('sequence');
  return typeof v === 'number' ? v : 0;
}

/** `20240305T090000` (wall clock of the recurrence id; `Z` when it is UTC), as in Google's instance ids. */
function compact(t: Time): string {
  const d = `${pad(t.year, 4)}${pad(t.month)}${pad(t.day)}`;
  if (t.isDate) return d;
  return `${d}T${pad(t.hour)}${pad(t.minute)}${pad(t.second)}${t.zone?.tzid === 'UTC' ? 'Z' : ''}`;
}

/** How ical.js keys an exception by its UTC recurrence id (floating times are read as UTC). */
function utcString(t: Time): string {
  return t.convertToZone(ICAL.Timezone.utcTimezone).toString();
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const tooLarge = (max: number) =>
  new CalendarError(
    'ics_too_large',
    `The calendar file is larger than ${Math.round(max / 1024 / 1024)} MB. Export a shorter period, or subscribe to the calendar’s secret address instead.`,
  );

const invalid = (why: string, cause?: unknown) =>
  new CalendarError(
    'ics_invalid',
    `The calendar file cannot be read: ${why} Export it again as iCalendar (.ics) and retry.`,
    cause !== undefined ? { cause } : undefined,
  );

const tooMany = () =>
  new CalendarError(
    'ics_too_many_events',
    'The calendar has more occurrences than Parley reads (a rule repeating every minute or hour?). Remove or shorten that rule, or export a shorter period, and retry.',
  );
