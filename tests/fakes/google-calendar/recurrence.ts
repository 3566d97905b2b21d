import { Temporal } from 'temporal-polyfill';

/**
 * The subset of RFC 5545 recurrence the fake expands: FREQ=DAILY|WEEKLY with INTERVAL, COUNT, UNTIL and
 * BYDAY, plus EXDATE lines. Anything else is rejected at insert time (400), so a test never silently
 * relies on a rule the fake does not understand.
 */
export interface Rule {
  freq: 'DAILY' | 'WEEKLY';
  interval: number;
  count?: number;
  until?: string;
  byDay?: number[];
}

export interface EventTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

export interface Occurrence {
  /** Google's instance id suffix: `YYYYMMDD` (all-day) or `YYYYMMDDTHHMMSSZ`. */
  suffix: string;
  start: EventTime;
  end: EventTime;
  startMs: number;
  endMs: number;
}

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

export class RecurrenceError extends Error {}

export function parseRecurrence(lines: readonly string[]): { rule: Rule; exdates: string[] } {
  let rule: Rule | undefined;
  const exdates: string[] = [];
  for (const line of lines) {
    if (line.startsWith('RRULE:')) {
      if (rule) throw new RecurrenceError('only one RRULE is supported');
      rule = parseRule(line.slice(6));
    } else if (line.startsWith('EXDATE')) {
      const value = line.slice(line.indexOf(':') + 1);
      exdates.push(...value.split(','));
    } else {
      throw new RecurrenceError(`unsupported recurrence line: ${line.split(':')[0] ?? ''}`);
    }
  }
  if (!rule) throw new RecurrenceError('a recurrence needs an RRULE');
  return { rule, exdates };
}

function parseRule(text: string): Rule {
  const parts = new Map(text.split(';').map((p) => p.split('=') as [string, string]));
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY') throw new RecurrenceError(`unsupported FREQ ${freq ?? ''}`);
  const rule: Rule = { freq, interval: Number(parts.get('INTERVAL') ?? '1') };
  if (!Number.isInteger(rule.interval) || rule.interval < 1) throw new RecurrenceError('bad INTERVAL');
  for (const key of parts.keys()) {
    if (!['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'WKST'].includes(key)) {
      throw new RecurrenceError(`unsupported RRULE part ${key}`);
    }
  }
  const count = parts.get('COUNT');
  if (count !== undefined) rule.count = Number(count);
  const until = parts.get('UNTIL');
  if (until !== undefined) rule.until = until;
  const byDay = parts.get('BYDAY');
  if (byDay !== undefined) {
    rule.byDay = byDay.split(',').map((d) => {
      const i = DAYS.indexOf(d);
      if (i < 0) throw new RecurrenceError(`unsupported BYDAY ${d}`);
      return i + 1;
    });
  }
  return rule;
}

/** `20250327T045959Z` or `20250327` → epoch ms (a date-only UNTIL is the end of that day in `zone`). */
function untilMs(until: string, zone: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(until);
  if (!m) throw new RecurrenceError('bad UNTIL');
  const [, y, mo, d, h, mi, s, z] = m;
  if (h === undefined) {
    return (
      Temporal.PlainDate.from(`${y}-${mo}-${d}`)
        .add({ days: 1 })
        .toZonedDateTime({ timeZone: zone })
        .toInstant().epochMilliseconds - 1
    );
  }
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  return z
    ? Date.parse(`${local}Z`)
    : Temporal.PlainDateTime.from(local).toZonedDateTime(zone).toInstant().epochMilliseconds;
}

function exdateMs(value: string, zone: string): number {
  return /^\d{8}$/.test(value)
    ? Temporal.PlainDate.from(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`)
        .toZonedDateTime({ timeZone: zone })
        .toInstant().epochMilliseconds
    : untilMs(value, zone);
}

export function utcSuffix(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function zonedString(ms: number, zone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(ms)
    .toZonedDateTimeISO(zone)
    .toString({ timeZoneName: 'never', smallestUnit: 'second', offset: 'auto' });
}

const HAS_OFFSET = /(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The instant of an event time, as Google reads it: a `dateTime` with an offset is that instant; one
 * without is wall-clock time in the event's `timeZone` ("a time zone offset is required unless a time
 * zone is explicitly specified in timeZone"), else `zone`; a `date` is midnight in `zone`. Never the
 * runtime's own zone.
 */
export function instantOf(t: EventTime, zone: string): number {
  if (t.dateTime !== undefined) {
    if (HAS_OFFSET.test(t.dateTime)) return Temporal.Instant.from(t.dateTime).epochMilliseconds;
    return Temporal.PlainDateTime.from(t.dateTime).toZonedDateTime(t.timeZone ?? zone).epochMilliseconds;
  }
  return Temporal.PlainDate.from(t.date!).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
}

function localStart(t: EventTime, zone: string): Temporal.PlainDateTime {
  return HAS_OFFSET.test(t.dateTime!)
    ? Temporal.Instant.from(t.dateTime!).toZonedDateTimeISO(zone).toPlainDateTime()
    : Temporal.PlainDateTime.from(t.dateTime!);
}

/**
 * Expands a series into its occurrences, in order, stopping at `limitMs` (exclusive, on start time) or
 * `maxCount` occurrences, whichever comes first. Timed events keep their wall-clock time across DST in
 * the event's zone, as Google does.
 */
export function expand(
  start: EventTime,
  end: EventTime,
  lines: readonly string[],
  calendarZone: string,
  limitMs: number,
  maxCount = 1000,
): Occurrence[] {
  const { rule, exdates } = parseRecurrence(lines);
  const zone = start.timeZone ?? calendarZone;
  const allDay = start.date !== undefined;
  const firstDate = allDay ? Temporal.PlainDate.from(start.date!) : localStart(start, zone).toPlainDate();
  const wall = allDay ? undefined : localStart(start, zone).toPlainTime();
  const durationMs = allDay ? 0 : instantOf(end, calendarZone) - instantOf(start, calendarZone);
  const days = allDay
    ? Temporal.PlainDate.from(start.date!).until(Temporal.PlainDate.from(end.date!)).days
    : 0;
  const until = rule.until !== undefined ? untilMs(rule.until, zone) : Infinity;
  const excluded = new Set(exdates.map((x) => exdateMs(x, zone)));
  const byDay = rule.byDay ?? (rule.freq === 'WEEKLY' ? [firstDate.dayOfWeek] : undefined);

  const out: Occurrence[] = [];
  let produced = 0;
  const weekStart = firstDate.subtract({ days: firstDate.dayOfWeek - 1 });
  for (let period = 0; period < 100_000; period++) {
    const candidates: Temporal.PlainDate[] =
      rule.freq === 'DAILY'
        ? [firstDate.add({ days: period * rule.interval })].filter(
            (d) => !byDay || byDay.includes(d.dayOfWeek),
          )
        : byDay!
            .slice()
            .sort((a, b) => a - b)
            .map((dow) => weekStart.add({ weeks: period * rule.interval, days: dow - 1 }))
            .filter((d) => Temporal.PlainDate.compare(d, firstDate) >= 0);
    for (const date of candidates) {
      const startMs = allDay
        ? date.toZonedDateTime({ timeZone: zone }).toInstant().epochMilliseconds
        : date.toZonedDateTime({ timeZone: zone, plainTime: wall! }).toInstant().epochMilliseconds;
      if (startMs > until || startMs >= limitMs) return out;
      if (rule.count !== undefined && produced >= rule.count) return out;
      produced++;
      if (excluded.has(startMs)) continue;
      if (allDay) {
        const endDate = date.add({ days });
        out.push({
          suffix: date.toString().replace(/-/g, ''),
          start: { date: date.toString() },
          end: { date: endDate.toString() },
          startMs,
          endMs: endDate.toZonedDateTime({ timeZone: zone }).toInstant().epochMilliseconds,
        });
      } else {
        out.push({
          suffix: utcSuffix(startMs),
          start: { dateTime: zonedString(startMs, zone), timeZone: zone },
          end: { dateTime: zonedString(startMs + durationMs, zone), timeZone: zone },
          startMs,
          endMs: startMs + durationMs,
        });
      }
      if (out.length >= maxCount) return out;
    }
  }
  return out;
}
