import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isCalendarError } from './errors';
import { readIcs, type ReadIcsOptions } from './ics';
import type { GEvent } from './schemas';
import { toCached } from './sync';

const VECTORS = new URL('../../../shared/vectors/gcal/ics/python-icalendar/', import.meta.url);
const OWN = new URL('../../tests/fixtures/ics/', import.meta.url);
const vector = (name: string) => readFileSync(new URL(name, VECTORS), 'utf8');
const own = (name: string) => readFileSync(new URL(name, OWN), 'utf8');
/** Some vectors are bare VEVENTs (fragments of a calendar): wrapped as a calendar would hold them. */
const wrap = (fragment: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${fragment.trim()}\r\nEND:VCALENDAR\r\n`;

const window = (from: string, to: string): ReadIcsOptions['window'] => ({ timeMin: from, timeMax: to });
const read = (text: string, opts: Partial<ReadIcsOptions> = {}) =>
  readIcs(text, {
    window: window('2026-02-01T00:00:00Z', '2027-03-01T00:00:00Z'),
    defaultZone: 'UTC',
    ...opts,
  });

/** Each occurrence as instants, the way the cache stores it (TIM2 through toCached). */
function placed(events: GEvent[], zone: string) {
  return events
    .map((e) => {
      const c = toCached('cal', e, zone, 1);
      return {
        id: e.id,
        summary: e.summary,
        start: new Date(c.startMs).toISOString(),
        end: new Date(c.endMs).toISOString(),
        allDay: c.allDay,
        status: c.status,
        transparent: c.transparent,
      };
    })
    .sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isCalendarError(error) ? error.code : `untyped:${String(error)}`;
  }
  return undefined;
}

describe('reading iCalendar (ical.js) into the cache’s shape', () => {
  const cases = read(own('parley-cases.ics'));
  const all = placed(cases.events, cases.timeZone);
  const named = (summary: string) => all.filter((e) => e.summary === summary);

  it('[ICS3] expands a weekly rule without COUNT or UNTIL up to the end of the window only, across the DST change in wall-clock time', () => {
    const weekly = named('Weekly sync');
    // From 2 March 2026 to the window's end (1 March 2027), minus the EXDATE, the moved and the cancelled.
    expect(weekly.length).toBe(52 - 3);
    expect(weekly[0]).toMatchObject({ start: '2026-03-02T09:00:00.000Z', end: '2026-03-02T10:00:00.000Z' });
    // 10:00 in Paris is 09:00Z in winter and 08:00Z in summer: the rule repeats local time.
    expect(weekly.find((e) => e.start.startsWith('2026-04-06'))?.start).toBe('2026-04-06T08:00:00.000Z');
    expect(weekly.at(-1)!.start < '2027-03-01').toBe(true);
    expect(new Set(weekly.map((e) => e.id)).size).toBe(weekly.length);
    expect(weekly[0]!.id).toBe('weekly@parley.test_20260302T100000');
  });

  it('[ICS4] leaves out EXDATEs and cancelled instances, and places a moved instance where it moved to', () => {
    const starts = all.filter((e) => e.id.startsWith('weekly@')).map((e) => e.start.slice(0, 10));
    expect(starts).not.toContain('2026-03-16'); // EXDATE
    expect(starts).not.toContain('2026-03-23'); // moved away from here…
    expect(named('Weekly sync (moved)')).toEqual([
      expect.objectContaining({ start: '2026-03-24T14:00:00.000Z', end: '2026-03-24T15:00:00.000Z' }),
    ]); // …to here
    expect(starts).not.toContain('2026-03-30'); // STATUS:CANCELLED
  });

  it('[ICS2] reads all-day events as dates (end exclusive, one day when DTEND is missing) and floating times in the calendar’s zone', () => {
    expect(cases.timeZone).toBe('Europe/Paris'); // X-WR-TIMEZONE
    expect(cases.events.find((e) => e.id === 'conference@parley.test')).toMatchObject({
      start: { date: '2026-03-10' },
      end: { date: '2026-03-12' },
    });
    expect(named('Conference')[0]).toMatchObject({
      allDay: true,
      start: '2026-03-09T23:00:00.000Z',
      end: '2026-03-11T23:00:00.000Z',
    });
    expect(cases.events.find((e) => e.id === 'holiday@parley.test')?.end).toEqual({ date: '2026-04-07' });
    // Floating 09:00 is 09:00 on the calendar's wall clock (Paris, UTC+1 in March).
    expect(named('Floating stand-up')[0]).toMatchObject({ start: '2026-03-11T08:00:00.000Z' });
    // Without X-WR-TIMEZONE, the person's zone (given by the caller) decides.
    const noZone = read(own('parley-cases.ics').replace(/^X-WR-TIMEZONE:.*\r?\n/m, ''), {
      defaultZone: 'America/New_York',
    });
    expect(noZone.timeZone).toBe('America/New_York');
    expect(placed(noZone.events, noZone.timeZone).find((e) => e.summary === 'Floating stand-up')?.start).toBe(
      '2026-03-11T13:00:00.000Z',
    );
    expect(named('UTC call')[0]).toMatchObject({
      start: '2026-03-12T14:00:00.000Z',
      end: '2026-03-12T14:45:00.000Z',
    });
  });

  it('[ICS2] a wall time the autumn change repeats is the earlier instant; one the spring change skips moves forward by the gap', () => {
    // 02:30 on 25 Oct 2026 happens at 00:30Z (CEST) and again at 01:30Z (CET): the first.
    expect(named('In the autumn overlap')[0]).toMatchObject({
      start: '2026-10-25T00:30:00.000Z',
      end: '2026-10-25T03:00:00.000Z',
    });
    // 02:30 on 29 Mar 2026 does not exist: 03:30 CEST.
    expect(named('In the spring gap')[0]).toMatchObject({ start: '2026-03-29T01:30:00.000Z' });
  });

  it('[ICS2] keeps TRANSP and STATUS: a transparent event is free, a tentative one tentative', () => {
    expect(named('Lunch (free)')[0]).toMatchObject({ transparent: true });
    expect(named('Maybe')[0]).toMatchObject({ status: 'tentative', transparent: false });
  });

  it('[ICS4] an instance moved into the window from a slot the expansion never reaches still counts', () => {
    const text = wrap(
      [
        'BEGIN:VEVENT',
        'UID:s@parley.test',
        'DTSTART:20260105T090000Z',
        'DTEND:20260105T100000Z',
        'RRULE:FREQ=WEEKLY',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:s@parley.test',
        'RECURRENCE-ID:20261228T090000Z',
        'DTSTART:20260210T090000Z',
        'DTEND:20260210T100000Z',
        'END:VEVENT',
      ].join('\r\n'),
    );
    const out = placed(
      read(text, { window: window('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z') }).events,
      'UTC',
    );
    expect(out.map((e) => e.start)).toEqual([
      '2026-02-02T09:00:00.000Z',
      '2026-02-09T09:00:00.000Z',
      '2026-02-10T09:00:00.000Z', // moved in from December
      '2026-02-16T09:00:00.000Z',
      '2026-02-23T09:00:00.000Z',
    ]);
    expect(out[2]!.id).toBe('s@parley.test_20261228T090000Z');
  });

  it('[ICS3] RFC 7265’s example: COUNT, an RDATE period with its own length, and a moved instance, in a VTIMEZONE', () => {
    const text = vector('rfc_7265_appendix_example_2_ical.ics');
    const out = placed(
      read(text, { window: window('2006-01-01T00:00:00Z', '2006-02-01T00:00:00Z') }).events,
      'UTC',
    );
    expect(out.map((e) => [e.start, e.end])).toEqual([
      ['2006-01-02T17:00:00.000Z', '2006-01-02T18:00:00.000Z'],
      ['2006-01-02T20:00:00.000Z', '2006-01-02T22:00:00.000Z'], // RDATE 15:00/PT2H
      ['2006-01-03T17:00:00.000Z', '2006-01-03T18:00:00.000Z'],
      ['2006-01-04T19:00:00.000Z', '2006-01-04T20:00:00.000Z'], // moved from 12:00 to 14:00
      ['2006-01-05T17:00:00.000Z', '2006-01-05T18:00:00.000Z'],
      ['2006-01-06T17:00:00.000Z', '2006-01-06T18:00:00.000Z'],
    ]);
  });

  it('[ICS4] EXDATEs spread over several lines all apply', () => {
    const text = wrap(vector('event_with_recurrence_exdates_on_different_lines.ics'));
    const events = read(text, { window: window('2000-01-01T00:00:00Z', '2030-01-01T00:00:00Z') }).events;
    const exdates = [...text.matchAll(/^EXDATE[^:]*:(.*)$/gm)].flatMap((m) => m[1]!.trim().split(','));
    expect(exdates.length).toBeGreaterThan(1);
    const ids = new Set(events.map((e) => e.id));
    for (const ex of exdates) expect([...ids].some((id) => id.endsWith(`_${ex}`))).toBe(false);
    expect(events.length).toBeGreaterThan(0);
  });

  it('[ICS2] a zone only the file defines (VTIMEZONE) is placed by that definition, the repeated hour at its earlier instant', () => {
    const out = placed(
      read(vector('issue_722_timezone_transition_ambiguity.ics'), {
        window: window('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z'),
      }).events,
      'UTC',
    );
    const byId = Object.fromEntries(out.map((e) => [e.id, e.start]));
    expect(byId).toEqual({
      '0': '2024-03-02T20:00:00.000Z', // winter, +12
      '1': '2024-08-02T22:00:00.000Z', // summer, +10
      '2': '2024-05-04T22:00:01.000Z', // after the change, +10
      '3': '2024-05-04T19:00:01.000Z', // 07:00:01 happens twice: the earlier (+12)
    });
  });

  it('[ICS2] a TZID without a VTIMEZONE is read from this runtime’s zone database; one it does not know either is TIM3’s unknown_time_zone', () => {
    const event = (tzid: string) =>
      wrap(
        `BEGIN:VEVENT\r\nUID:z\r\nDTSTART;TZID=${tzid}:20260610T090000\r\nDTEND;TZID=${tzid}:20260610T100000\r\nEND:VEVENT`,
      );
    expect(placed(read(event('America/New_York')).events, 'UTC')[0]!.start).toBe('2026-06-10T13:00:00.000Z');
    expect(code(() => read(event('Mars/Olympus_Mons')))).toBe('unknown_time_zone');
  });

  it('[ICS1] refuses what is not iCalendar, too large, or unreadable, with a typed error that says what to do', () => {
    const text = own('parley-cases.ics');
    expect(code(() => read(text, { limits: { maxBytes: 1000 } }))).toBe('ics_too_large');
    expect(code(() => read('<html><body>Sign in</body></html>'))).toBe('ics_invalid');
    expect(code(() => read(vector('timezone_rdate.ics')))).toBe('ics_invalid'); // a line without ":"
    expect(code(() => read(vector('rfc_7529.ics')))).toBe('ics_invalid'); // RSCALE leap months (BYMONTH=5L)
    expect(code(() => read(vector('issue_722_missing_timezones.ics')))).toBe('ics_invalid'); // no DTSTART
    expect(code(() => read(text.replace('20260311T090000', '20261345T250000')))).toBe('ics_invalid');
    try {
      read('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026\r\nEND:VCALENDAR');
    } catch (error) {
      expect(error).toMatchObject({ code: 'ics_invalid', message: expect.stringMatching(/Export it again/) });
    }
  });

  it('[ICS3] caps occurrences and recurrence steps with a typed error (an every-minute rule from long ago)', () => {
    const minutely = wrap(
      'BEGIN:VEVENT\r\nUID:m\r\nDTSTART:20200101T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY\r\nEND:VEVENT',
    );
    expect(code(() => read(minutely, { limits: { maxSteps: 5000 } }))).toBe('ics_too_many_events');
    const daily = wrap('BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20260201T090000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT');
    expect(code(() => read(daily, { limits: { maxInstances: 100 } }))).toBe('ics_too_many_events');
    expect(read(daily, { limits: { maxInstances: 400 } }).events).toHaveLength(393);
  });

  it('[ICS3] a long-running daily or weekly series starts its expansion shortly before the window, with the same occurrences', () => {
    const text = wrap(
      [
        // Daily since 2015 (≈ 4,000 steps from DTSTART), one EXDATE and two moved instances, one of them
        // from years before the window into it.
        'BEGIN:VEVENT',
        'UID:daily',
        'DTSTART:20150105T090000Z',
        'DTEND:20150105T091500Z',
        'RRULE:FREQ=DAILY;UNTIL=20301231T000000Z',
        'EXDATE:20260210T090000Z',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:daily',
        'RECURRENCE-ID:20260211T090000Z',
        'DTSTART:20260211T130000Z',
        'DTEND:20260211T131500Z',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:daily',
        'RECURRENCE-ID:20160105T090000Z',
        'DTSTART:20260212T170000Z',
        'DTEND:20260212T171500Z',
        'END:VEVENT',
        // Every other week on Tuesday and Thursday since 2016, in Paris wall-clock time.
        'BEGIN:VEVENT',
        'UID:fortnight',
        'DTSTART;TZID=Europe/Paris:20160105T100000',
        'DTEND;TZID=Europe/Paris:20160105T110000',
        'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH',
        'END:VEVENT',
        // DTSTART (a Sunday) is off its rule (Mondays): never moved, its expansion runs from 2016.
        'BEGIN:VEVENT',
        'UID:offrule',
        'DTSTART:20160103T080000Z',
        'DTEND:20160103T083000Z',
        'RRULE:FREQ=WEEKLY;BYDAY=MO',
        'END:VEVENT',
      ].join('\r\n'),
    );
    const opts = {
      window: window('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'),
      limits: { maxSteps: 2000 },
    };
    const out = placed(read(text, opts).events, 'UTC');
    const of = (prefix: string) => out.filter((e) => e.id.startsWith(prefix)).map((e) => e.start);

    const daily = of('daily_');
    expect(daily).toHaveLength(28 - 1 + 1); // February, minus the EXDATE, plus the one moved in from 2016
    expect(daily).not.toContain('2026-02-10T09:00:00.000Z');
    expect(daily).toContain('2026-02-11T13:00:00.000Z');
    expect(daily).toContain('2026-02-12T17:00:00.000Z');
    expect(daily).toContain('2026-02-12T09:00:00.000Z');
    expect(daily.filter((t) => t.endsWith('T09:00:00.000Z'))).toHaveLength(26);

    // 5 Jan 2016 is a Tuesday of an "on" week; every 14 days after it, Tuesday and Thursday at 10:00 Paris.
    const expected: string[] = [];
    for (let t = Date.UTC(2016, 0, 5, 9); t < Date.UTC(2026, 2, 1); t += 14 * 86_400_000)
      for (const d of [0, 2]) {
        const at = t + d * 86_400_000;
        if (at >= Date.UTC(2026, 1, 1)) expected.push(new Date(at).toISOString()); // winter: 10:00 Paris = 09:00Z
      }
    expect(of('fortnight_')).toEqual(expected);
    expect(of('offrule')).toEqual(
      ['2026-02-02', '2026-02-09', '2026-02-16', '2026-02-23'].map((d) => `${d}T08:00:00.000Z`),
    );
  });

  it('[ICS1][TIM3] every python-icalendar vector is read and placed, or refused with a typed error, never a raw one', () => {
    const results: Record<string, string> = {};
    for (const name of readdirSync(VECTORS).filter((n) => n.endsWith('.ics'))) {
      let text = vector(name);
      if (!/^BEGIN:VCALENDAR/.test(text.trimStart())) text = wrap(text);
      const failure = code(() => {
        const r = read(text, { window: window('1990-01-01T00:00:00Z', '2030-01-01T00:00:00Z') });
        placed(r.events, r.timeZone);
      });
      results[name] = failure ?? 'ok';
    }
    for (const outcome of Object.values(results))
      expect(outcome).toMatch(/^(ok|ics_invalid|unknown_time_zone)$/);
    expect(Object.values(results).filter((r) => r === 'ok').length).toBeGreaterThanOrEqual(10);
  });
});
