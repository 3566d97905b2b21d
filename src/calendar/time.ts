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
 * An event's start/end as instants. All-day events are dates (end exclusive, as Google sends them) and
 * become instants only here, at midnight in the calendar's zone: that is how Google itself places them
 * for free/busy and time filters.
 */
export function instantRange(start: EventDateTime, end: EventDateTime, calendarZone: string): InstantRange {
  const allDay = start.date !== undefined;
  const startMs = toMs(start, calendarZone);
  const endMs = toMs(end, calendarZone);
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) {
    throw new CalendarError('bad_response', 'An event has a start or end time that cannot be read.');
  }
  return { startMs, endMs, allDay };
}

function toMs(t: EventDateTime, zone: string): number {
  if (t.dateTime !== undefined) return Date.parse(t.dateTime);
  if (t.date !== undefined) {
    return Temporal.PlainDate.from(t.date)
      .toZonedDateTime({ timeZone: t.timeZone ?? zone })
      .toInstant().epochMilliseconds;
  }
  return Number.NaN;
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
      try {
        Temporal.PlainDate.from(t.date);
      } catch {
        // Not a calendar date: refused as invalid_input with what to send instead.
        bad('An all-day event needs dates as YYYY-MM-DD.');
      }
    } else {
      if (t.dateTime === undefined || Number.isNaN(Date.parse(t.dateTime)))
        bad('A timed event needs an RFC 3339 date-time.');
      if (t.timeZone === undefined || !isIanaZone(t.timeZone))
        bad('A timed event needs an IANA time zone such as "Europe/Paris".');
      if (!/(Z|[+-]\d{2}:\d{2})$/.test(t.dateTime!)) bad('Date-times must carry an offset (Z or ±hh:mm).');
    }
  }
  const { startMs, endMs } = instantRange(start, end, 'UTC');
  if (!(endMs > startMs)) bad('An event must end after it starts.');
}
