import { Temporal } from 'temporal-polyfill';
import { CalendarError } from './errors';
import type { EventDateTime } from './schemas';

/** True for a zone name the platform's IANA database knows ("Europe/Paris"), false for "CET+1" etc. */
export function isIanaZone(zone: string): boolean {
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    // The platform refuses a zone it does not know: that refusal is the answer.
    return false;
  }
}

export interface InstantRange {
  startMs: number;
  endMs: number;
  allDay: boolean;
}

/**
 * An event's start/end as instants (rules TIM2, TIM3). All-day events are dates (end exclusive, as Google
 * sends them) and become instants only here, at midnight in the event's zone or else the calendar's:
 * that is how Google itself places them for free/busy and time filters. Throws only `CalendarError`s.
 */
export function instantRange(start: EventDateTime, end: EventDateTime, calendarZone: string): InstantRange {
  const allDay = start.date !== undefined;
  if (allDay !== (end.date !== undefined)) {
    throw new CalendarError('bad_response', 'An event mixes an all-day date with a date-time.');
  }
  const startMs = eventInstant(start, calendarZone);
  const endMs = eventInstant(end, calendarZone);
  if (endMs < startMs) throw new CalendarError('bad_response', 'An event ends before it starts.');
  return { startMs, endMs, allDay };
}

// RFC 3339 date-time (Google's format): seconds required, optional fraction, offset optional only
// because Google allows leaving it out when `timeZone` says where the wall-clock time is.
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)([Zz]|[+-]\d{2}:\d{2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const unreadable = (cause?: unknown) =>
  new CalendarError(
    'bad_response',
    'An event has a start or end that is not an RFC 3339 date or date-time.',
    cause !== undefined ? { cause } : undefined,
  );

/**
 * [TIM2] One event time as an instant. A date-time with an offset is that instant, whatever `timeZone`
 * says; one without is wall-clock time in the event's `timeZone`, else the calendar's, never the
 * runtime's own zone (which differs between machines). A skipped wall time moves forward by the gap and
 * a repeated one is the earlier instant (Temporal's `compatible`, as RFC 5545 and Google do).
 * [TIM3] Anything that cannot be placed is a typed `CalendarError`, never a `RangeError`.
 */
export function eventInstant(t: EventDateTime, calendarZone: string): number {
  if (t.dateTime !== undefined) {
    if (t.date !== undefined) throw unreadable();
    const m = DATE_TIME.exec(t.dateTime);
    if (!m) throw unreadable();
    const [, date, time, offset] = m;
    const local = plain(() => Temporal.PlainDateTime.from(`${date}T${time}`));
    if (offset !== undefined) {
      // Temporal checks the offset's range; Z and ±hh:mm are the only forms that reach here.
      return plain(() => Temporal.Instant.from(`${local.toString()}${offset.toUpperCase()}`))
        .epochMilliseconds;
    }
    return local.toZonedDateTime(zoneFor(t.timeZone ?? calendarZone), { disambiguation: 'compatible' })
      .epochMilliseconds;
  }
  if (t.date !== undefined) {
    if (!DATE.test(t.date)) throw unreadable();
    const day = plain(() => Temporal.PlainDate.from(t.date!));
    return day.toZonedDateTime({ timeZone: zoneFor(t.timeZone ?? calendarZone) }).epochMilliseconds;
  }
  throw unreadable();
}

/** An RFC 3339 date-time that must carry its offset (a free/busy answer): epoch ms, or NaN. */
export function offsetInstant(text: string): number {
  if (DATE_TIME.exec(text)?.[3] === undefined) return Number.NaN;
  return readable({ dateTime: text }, 'UTC') ? eventInstant({ dateTime: text }, 'UTC') : Number.NaN;
}

/** Runs a Temporal parse; its RangeError (month 13, 30 February, hour 25) becomes a typed error. */
function plain<T>(parse: () => T): T {
  try {
    return parse();
  } catch (cause) {
    // Temporal refuses impossible dates and times: the event is unreadable, said as such (TIM3).
    throw unreadable(cause);
  }
}

/** A zone name this runtime's tz database knows, or a typed `unknown_time_zone` (TIM3). */
function zoneFor(zone: string): string {
  try {
    return Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(zone).timeZoneId;
  } catch (cause) {
    // Google's tz database can be newer than the browser's: the event cannot be placed here.
    throw new CalendarError(
      'unknown_time_zone',
      'An event is in a time zone this browser does not know, so it cannot be placed.',
      { cause },
    );
  }
}

/** Validates a start/end pair we are about to send: IANA zones, dates for all-day, end after start. */
export function checkEventTimes(start: EventDateTime, end: EventDateTime): void {
  const bad = (m: string): never => {
    throw new CalendarError('invalid_input', m);
  };
  if ((start.date === undefined) !== (end.date === undefined))
    bad('Start and end must both be dates (all-day) or both be times.');
  for (const t of [start, end]) {
    if (t.date !== undefined) {
      if (t.dateTime !== undefined) bad('An event time is either a date or a date-time, not both.');
      if (!DATE.test(t.date) || !readable(t, 'UTC')) bad('An all-day event needs dates as YYYY-MM-DD.');
    } else {
      if (t.dateTime === undefined || !readable({ dateTime: t.dateTime }, 'UTC'))
        bad('A timed event needs an RFC 3339 date-time.');
      if (t.timeZone === undefined || !isIanaZone(t.timeZone))
        bad('A timed event needs an IANA time zone such as "Europe/Paris".');
      if (DATE_TIME.exec(t.dateTime!)?.[3] === undefined)
        bad('Date-times must carry an offset (Z or ±hh:mm).');
    }
  }
  const startMs = eventInstant(start, 'UTC');
  const endMs = eventInstant(end, 'UTC');
  if (!(endMs > startMs)) bad('An event must end after it starts.');
}

function readable(t: EventDateTime, zone: string): boolean {
  try {
    eventInstant(t, zone);
    return true;
  } catch (error) {
    // Only our own typed refusals are expected here; they mean "not readable", said by the caller.
    if (error instanceof CalendarError) return false;
    throw error;
  }
}
