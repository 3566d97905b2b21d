import 'fake-indexeddb/auto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from '../../tests/fakes/google-calendar';
import { availabilityFromCache, findSlots, parsePreferences } from '../scheduling';
import { openVault } from '../vault';
import { manualClock, type Clock } from './clock';
import { isCalendarError } from './errors';
import { readIcs } from './ics';
import { GoogleOAuth, type StoredTokens } from './oauth';
import { CalendarService, type BusySnapshot, type CalendarChoice } from './service';
import { vaultCalendarCache } from './vault-cache';

/*
 * Calendars from iCalendar through the service as the agent runs it: the vault cache, the real HTTP
 * client (fetch) against a local server for secret addresses, the fake Google Calendar for comparison.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let fake: FakeGoogleCalendar;
/** A secret address on this machine: its answer is set per test, every request is recorded. */
let server: Server;
let base: string;
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | (() => AsyncGenerator<string>);
}
let answer: (req: { url: string; headers: IncomingHttpHeaders }) => Answer;
const requests: { url: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  fake = await startFakeGoogleCalendar({});
  server = createServer((req, res) => {
    const r = { url: req.url ?? '/', headers: req.headers };
    requests.push(r);
    const a = answer(r);
    res.writeHead(a.status, a.headers);
    if (typeof a.body === 'function') {
      const stream = a.body();
      void (async () => {
        try {
          for await (const chunk of stream)
            if (!res.write(chunk)) await new Promise((ok) => res.once('drain', ok));
          res.end();
        } catch {
          // The client hung up (it refused a body past the cap): nothing more to send.
          res.destroy();
        }
      })();
      res.on('close', () => void stream.return(undefined));
    } else res.end(a.body ?? '');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fake.close();
  await new Promise((ok) => server.close(ok));
});

async function service(opts: { clock: Clock; google?: boolean; clientId?: string }) {
  const vault = await openVault({
    name: `ics-${crypto.randomUUID()}`,
    kdf: { iterations: 1000, allowWeakIterationsForTests: true },
  });
  await vault.setUp('test passphrase');
  let choices: CalendarChoice[] | undefined;
  let tokens: StoredTokens | undefined = opts.google
    ? { accessToken: 'test', expiresAt: Date.now() + HOUR, scope: '' }
    : undefined;
  const cache = vaultCalendarCache(vault);
  const svc = new CalendarService({
    oauth: new GoogleOAuth({
      config: () => ({
        clientId: opts.clientId ?? 'x',
        authUrl: `${fake.url}/o/oauth2/v2/auth`,
        tokenUrl: `${fake.url}/token`,
        revokeUrl: `${fake.url}/revoke`,
      }),
      launchWebAuthFlow: () => Promise.reject(new Error('no sign-in in these tests')),
      redirectUri: 'https://x.chromiumapp.org/',
      load: async () => tokens,
      save: async (t) => void (tokens = t),
      clear: async () => void (tokens = undefined),
    }),
    cache,
    apiBaseUrl: () => `${fake.url}/calendar/v3`,
    loadChoices: async () => choices,
    saveChoices: async (c) => void (choices = c),
    onChange: () => undefined,
    clock: opts.clock,
    defaultZone: () => 'Europe/Paris',
  });
  return { svc, cache, choices: () => choices ?? [], choose: (c: CalendarChoice[]) => (choices = c) };
}

const allDay = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]),
);
/** What the Negotiator's availability port computes from busy() (src/agent/negotiator.ts). */
async function offered(svc: CalendarService, window: { start: number; end: number }, now: number) {
  const availability = await availabilityFromCache(
    { snapshot: (range) => svc.busy(range) },
    {
      participantId: 'me',
      preferences: parsePreferences({ timeZone: 'Europe/Paris', workingHours: allDay }),
      window,
      now,
    },
  );
  return {
    free: availability.free,
    ranked: findSlots([availability], { durationMin: 30, granularityMin: 30 }),
  };
}

/** Busy events without where they came from (ids and calendar ids differ between the two paths). */
const times = (s: BusySnapshot) =>
  s.events
    .map(({ id: _id, calendarId: _c, ...rest }) => rest)
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Monday 00:00 UTC at least a week after `now`. */
function nextMonday(now: number): Date {
  const d = new Date(now + 7 * DAY);
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
  return d;
}
const ymd = (d: Date, plusDays = 0) => new Date(d.getTime() + plusDays * DAY).toISOString().slice(0, 10);
const compact = (date: string) => date.replaceAll('-', '');

function sampleCalendar(monday: Date, name = 'Work') {
  const d = (n: number) => compact(ymd(monday, n));
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Parley//tests//EN',
    `X-WR-CALNAME:${name}`,
    'X-WR-TIMEZONE:Europe/Paris',
    'BEGIN:VEVENT',
    'UID:weekly@parley.test',
    `DTSTART;TZID=Europe/Paris:${d(0)}T100000`,
    `DTEND;TZID=Europe/Paris:${d(0)}T110000`,
    'RRULE:FREQ=WEEKLY;COUNT=6',
    `EXDATE;TZID=Europe/Paris:${d(7)}T100000`,
    'SUMMARY:Weekly',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:ny@parley.test',
    `DTSTART;TZID=America/New_York:${d(1)}T090000`,
    `DTEND;TZID=America/New_York:${d(1)}T103000`,
    'SUMMARY:Call with New York',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:offsite@parley.test',
    `DTSTART;VALUE=DATE:${d(2)}`,
    `DTEND;VALUE=DATE:${d(4)}`,
    'SUMMARY:Offsite',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:lunch@parley.test',
    `DTSTART:${d(4)}T110000Z`,
    `DTEND:${d(4)}T120000Z`,
    'TRANSP:TRANSPARENT',
    'SUMMARY:Lunch',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:maybe@parley.test',
    `DTSTART:${d(4)}T140000Z`,
    `DTEND:${d(4)}T150000Z`,
    'STATUS:TENTATIVE',
    'SUMMARY:Maybe',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.join('\r\n') + '\r\n';
}

function seedGoogle(calendarId: string, monday: Date) {
  fake.store.addCalendar({ id: calendarId, timeZone: 'Europe/Paris', primary: true });
  fake.store.seedEvent(calendarId, {
    summary: 'Weekly',
    start: { dateTime: `${ymd(monday)}T10:00:00`, timeZone: 'Europe/Paris' },
    end: { dateTime: `${ymd(monday)}T11:00:00`, timeZone: 'Europe/Paris' },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=6', `EXDATE;TZID=Europe/Paris:${compact(ymd(monday, 7))}T100000`],
  });
  fake.store.seedEvent(calendarId, {
    summary: 'Call with New York',
    start: { dateTime: `${ymd(monday, 1)}T09:00:00`, timeZone: 'America/New_York' },
    end: { dateTime: `${ymd(monday, 1)}T10:30:00`, timeZone: 'America/New_York' },
  });
  fake.store.seedEvent(calendarId, {
    summary: 'Offsite',
    start: { date: ymd(monday, 2) },
    end: { date: ymd(monday, 4) },
  });
  fake.store.seedEvent(calendarId, {
    summary: 'Lunch',
    transparency: 'transparent',
    start: { dateTime: `${ymd(monday, 4)}T11:00:00Z` },
    end: { dateTime: `${ymd(monday, 4)}T12:00:00Z` },
  });
  fake.store.seedEvent(calendarId, {
    summary: 'Maybe',
    status: 'tentative',
    start: { dateTime: `${ymd(monday, 4)}T14:00:00Z` },
    end: { dateTime: `${ymd(monday, 4)}T15:00:00Z` },
  });
}

describe('calendars from .ics files', () => {
  it('[ICS6] availability from an .ics calendar equals availability from the same events through the Google path', async () => {
    const clock = manualClock(Date.now());
    const monday = nextMonday(clock.now());
    const googleId = `ics6-${crypto.randomUUID()}`;
    seedGoogle(googleId, monday);
    const viaGoogle = await service({ clock, google: true });
    viaGoogle.choose([{ id: googleId, summary: 'Work', primary: true, selected: true }]);
    await viaGoogle.svc.sync();
    expect((await viaGoogle.svc.overview()).calendars[0]).toMatchObject({ state: 'ok', source: 'google' });

    const viaIcs = await service({ clock });
    await viaIcs.svc.importIcs({ name: 'work.ics', text: sampleCalendar(monday) });

    const window = { start: monday.getTime() - DAY, end: monday.getTime() + 6 * 7 * DAY };
    const google = await viaGoogle.svc.busy(window);
    const ics = await viaIcs.svc.busy(window);
    expect(times(ics)).toEqual(times(google));
    expect(times(ics)).toHaveLength(5 + 1 + 1 + 1 + 1); // six weekly minus one EXDATE, four one-offs
    expect(ics.calendars[0]!.known).toEqual(google.calendars[0]!.known);
    const [a, b] = [
      await offered(viaIcs.svc, window, clock.now()),
      await offered(viaGoogle.svc, window, clock.now()),
    ];
    expect(a).toEqual(b);
    expect(a.ranked.length).toBeGreaterThan(0);
    // The offsite days (midnight to midnight in Paris) are busy, whichever path they came by.
    const offsite = {
      start: monday.getTime() + 2 * DAY + 2 * HOUR,
      end: monday.getTime() + 4 * DAY - 2 * HOUR,
    };
    expect(a.free.some((f) => f.start < offsite.end && f.end > offsite.start)).toBe(false);
  });

  it('[ICS5] an import is a calendar of its own, named by the file; importing again replaces its events; a refused file changes nothing', async () => {
    const clock = manualClock(Date.now());
    const monday = nextMonday(clock.now());
    const { svc, choices } = await service({ clock });
    const first = await svc.importIcs({ name: 'work.ics', text: sampleCalendar(monday, 'Team calendar') });
    expect(first.calendars).toEqual([
      expect.objectContaining({
        summary: 'Team calendar',
        source: 'file',
        selected: true,
        state: 'ok',
        events: 9,
      }),
    ]);
    const id = first.calendars[0]!.id;
    expect(id).toMatch(/^ics:/);
    expect(choices()[0]!.ics).toEqual({ kind: 'file' });

    // A newer export without the weekly series.
    const smaller = sampleCalendar(monday).replace(/BEGIN:VEVENT\r\nUID:weekly[\s\S]*?END:VEVENT\r\n/, '');
    const again = await svc.importIcs({ name: 'work.ics', text: smaller, calendarId: id });
    expect(again.calendars).toHaveLength(1);
    expect(again.calendars[0]!.events).toBe(4);

    for (const bad of [
      'not a calendar',
      sampleCalendar(monday).replace('DTSTART;VALUE=DATE', 'DTSTART;VALUE=DATE-TIME'),
    ]) {
      const error = await svc
        .importIcs({ name: 'bad.ics', text: bad, calendarId: id })
        .catch((e: unknown) => e);
      expect(isCalendarError(error, 'ics_invalid')).toBe(true);
    }
    const after = await svc.overview();
    expect(after.calendars).toHaveLength(1);
    expect(after.calendars[0]).toMatchObject({ events: 4, state: 'ok' });
    // A Google calendar is not replaced by a file.
    const error = await svc
      .importIcs({ name: 'x.ics', text: smaller, calendarId: 'dana@example.com' })
      .catch((e: unknown) => e);
    expect(isCalendarError(error, 'invalid_input')).toBe(true);
    expect((await svc.removeCalendar(id)).calendars).toEqual([]);
  });

  it('[ICS7] an imported file counts as known for 7 days after the import, then as unknown (never free) until imported again', async () => {
    const clock = manualClock(Date.now());
    const monday = nextMonday(clock.now());
    const { svc } = await service({ clock });
    await svc.importIcs({ name: 'work.ics', text: sampleCalendar(monday) });
    const window = { start: monday.getTime(), end: monday.getTime() + 7 * DAY };
    clock.advance(7 * DAY);
    expect((await svc.busy(window)).calendars[0]!.known).toHaveLength(1);
    // A sync alarm does not touch a file.
    await svc.sync();
    clock.advance(1);
    expect((await svc.busy(window)).calendars[0]!.known).toEqual([]);
    expect(await offered(svc, window, clock.now())).toEqual({ free: [], ranked: [] });
  });

  it('[ICS10] with no OAuth client id, connecting explains the other ways; connecting and disconnecting Google leave .ics calendars alone', async () => {
    const clock = manualClock(Date.now());
    const monday = nextMonday(clock.now());
    const unconfigured = await service({ clock, clientId: '' });
    const error = await unconfigured.svc.connect().catch((e: unknown) => e);
    expect(isCalendarError(error, 'google_not_configured')).toBe(true);

    const googleId = `ics10-${crypto.randomUUID()}`;
    fake.store.addCalendar({ id: googleId, timeZone: 'Europe/Paris', primary: true });
    const { svc, choose, choices } = await service({ clock, google: true });
    choose([]);
    await svc.importIcs({ name: 'work.ics', text: sampleCalendar(monday) });
    const importedId = choices()[0]!.id;
    await svc.disconnect();
    expect(choices().map((c) => c.id)).toEqual([importedId]);
    expect((await svc.overview()).calendars[0]).toMatchObject({ id: importedId, events: 9 });
  });
});

describe('meetings booked without Google', () => {
  it('[ICS11] a meeting booked without Google is kept here (busy, in the agenda) and becomes an .ics invitation that reads back to the same meeting', async () => {
    const clock = manualClock(Date.now());
    const monday = nextMonday(clock.now());
    const { svc } = await service({ clock });
    await svc.importIcs({ name: 'work.ics', text: sampleCalendar(monday) });
    const start = monday.getTime() + 5 * DAY + 13 * HOUR;
    const booking = {
      negotiationId: 'neg-1',
      title: 'Coffee with Ben',
      start,
      end: start + HOUR / 2,
      timeZone: 'Europe/Paris',
    };
    const id = await svc.book(booking);
    expect(id).toMatch(/^[a-v0-9]{52}$/); // WRT1's id, the same on every participant's side

    const window = { start: start - HOUR, end: start + HOUR };
    expect((await svc.busy(window)).events).toContainEqual(
      expect.objectContaining({ kind: 'timed', status: 'busy', start, end: start + HOUR / 2 }),
    );
    expect(await svc.agenda(window)).toEqual([
      { start, end: start + HOUR / 2, allDay: false, title: 'Coffee with Ben', byParley: true },
    ]);

    const invitation = await svc.invitation('neg-1');
    expect(invitation.filename).toBe('Coffee with Ben.ics');
    expect(invitation.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(invitation.text).toContain('METHOD:PUBLISH');
    const back = readIcs(invitation.text, {
      window: { timeMin: new Date(start - DAY).toISOString(), timeMax: new Date(start + DAY).toISOString() },
      defaultZone: 'UTC',
    });
    expect(back.events).toEqual([
      expect.objectContaining({
        id: `${id}@parley`,
        summary: 'Coffee with Ben',
        start: { dateTime: new Date(start).toISOString().replace('.000', '') },
        end: { dateTime: new Date(start + HOUR / 2).toISOString().replace('.000', '') },
      }),
    ]);

    // Moved: the same UID with a later SEQUENCE, so calendar apps update the event.
    clock.advance(60_000);
    await svc.book({ ...booking, start: start + HOUR, end: start + 1.5 * HOUR });
    const moved = await svc.invitation('neg-1');
    const seq = (t: string) => Number(/^SEQUENCE:(\d+)/m.exec(t)![1]);
    expect(seq(moved.text)).toBeGreaterThan(seq(invitation.text));
    expect(moved.text).toContain(`UID:${id}@parley`);

    await svc.cancelBooking('neg-1');
    expect((await svc.busy({ start, end: start + 2 * HOUR })).events.filter((e) => e.id === id)).toEqual([]);
    const gone = await svc.invitation('neg-1').catch((e: unknown) => e);
    expect(isCalendarError(gone, 'not_found')).toBe(true);
  });
});

describe('calendars from a secret iCal address (local HTTP server)', () => {
  const path = () => `/calendar/ical/${crypto.randomUUID()}/basic.ics`;

  it('[ICS9] polls on the sync alarm with If-None-Match; a 304 keeps the events and marks the calendar synced', async () => {
    const clock = manualClock(Date.now());
    const monday = nextMonday(clock.now());
    const at = path();
    let text = sampleCalendar(monday);
    let etag = '"v1"';
    answer = ({ headers }): Answer =>
      headers['if-none-match'] === etag
        ? { status: 304, headers: { etag } }
        : { status: 200, headers: { etag, 'content-type': 'text/calendar' }, body: text };
    const { svc, choices } = await service({ clock });
    const subscribed = await svc.subscribeIcs({ url: `${base}${at}` });
    expect(subscribed.calendars).toEqual([
      expect.objectContaining({ summary: 'Work', source: 'url', state: 'ok', events: 9 }),
    ]);
    // The secret address stays in the vault's choices, never in a view.
    expect(JSON.stringify(subscribed)).not.toContain(at);
    expect(choices()[0]!.ics).toEqual({ kind: 'url', url: `${base}${at}` });

    clock.advance(15 * 60_000);
    await svc.sync();
    const mine = requests.filter((r) => r.url === at);
    expect(mine.map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"']);
    const overview = await svc.overview();
    expect(overview.calendars[0]).toMatchObject({ state: 'ok', events: 9, lastSyncedAt: clock.now() });

    // The calendar changed: a new ETag and a new text.
    text = sampleCalendar(monday).replace(/BEGIN:VEVENT\r\nUID:weekly[\s\S]*?END:VEVENT\r\n/, '');
    etag = '"v2"';
    clock.advance(15 * 60_000);
    await svc.sync();
    expect((await svc.overview()).calendars[0]).toMatchObject({ state: 'ok', events: 4 });
    clock.advance(15 * 60_000);
    await svc.sync();
    expect(requests.filter((r) => r.url === at).map((r) => r.headers['if-none-match'])).toEqual([
      undefined,
      '"v1"',
      '"v1"',
      '"v2"',
    ]);
  });

  it('[ICS8] a 404 after the address was reset: unreachable, its last data kept but stale, never free, and the overview says what to do', async () => {
    const clock = manualClock(Date.now());
    const monday = nextMonday(clock.now());
    const at = path();
    let reset = false;
    answer = () =>
      reset ? { status: 404, body: 'Not Found' } : { status: 200, body: sampleCalendar(monday) };
    const { svc } = await service({ clock });
    await svc.subscribeIcs({ url: `${base}${at}` });
    const t0 = clock.now();
    const window = { start: monday.getTime(), end: monday.getTime() + 7 * DAY };
    expect((await offered(svc, window, clock.now())).ranked.length).toBeGreaterThan(0);

    reset = true;
    clock.advance(15 * 60_000);
    await svc.sync();
    const overview = await svc.overview();
    expect(overview.calendars[0]).toMatchObject({
      state: 'degraded',
      reason: 'ics_address_gone',
      lastSyncedAt: t0,
      events: 9,
      message: expect.stringMatching(/secret address no longer works.*subscribe again/),
    });
    expect(overview.error?.code).toBe('ics_address_gone');
    expect((await svc.busy(window)).calendars[0]!.known).toEqual([]);
    expect(await offered(svc, window, clock.now())).toEqual({ free: [], ranked: [] });
  });

  it('[ICS1][ICS8] a huge or malformed answer is a clear error and nothing is lost; a first subscription that fails adds nothing', async () => {
    const clock = manualClock(Date.now());
    const monday = nextMonday(clock.now());
    const at = path();
    let mode: 'ok' | 'announced' | 'streamed' | 'malformed' | 'html' = 'ok';
    const chunk = 'X-FILLER:' + 'x'.repeat(1000) + '\r\n';
    answer = () => {
      if (mode === 'announced')
        return {
          status: 200,
          headers: { 'content-length': String(6 * 1024 * 1024) },
          body: 'BEGIN:VCALENDAR',
        };
      if (mode === 'streamed')
        return {
          status: 200,
          body: async function* () {
            yield 'BEGIN:VCALENDAR\r\n';
            for (let i = 0; i < 100_000; i++) yield chunk; // 100 MB if nobody stopped reading
          },
        };
      if (mode === 'malformed')
        return { status: 200, body: sampleCalendar(monday).replace('END:VEVENT', 'END VEVENT') };
      if (mode === 'html') return { status: 200, body: '<!doctype html><title>Sign in</title>' };
      return { status: 200, body: sampleCalendar(monday) };
    };
    const { svc } = await service({ clock });
    await svc.subscribeIcs({ url: `${base}${at}` });
    const cases = [
      ['announced', 'ics_too_large'],
      ['streamed', 'ics_too_large'],
      ['malformed', 'ics_invalid'],
      ['html', 'ics_invalid'],
    ] as const;
    for (const [m, code] of cases) {
      mode = m;
      clock.advance(15 * 60_000);
      await svc.sync();
      const overview = await svc.overview();
      expect(overview.error?.code).toBe(code);
      expect(overview.calendars[0]).toMatchObject({ state: 'degraded', reason: code, events: 9 });
      expect(overview.calendars[0]!.message).toMatch(/\.$/);
    }
    mode = 'ok';
    clock.advance(15 * 60_000);
    await svc.sync();
    expect((await svc.overview()).calendars[0]).toMatchObject({
      state: 'ok',
      events: 9,
      lastSyncedAt: clock.now(),
    });

    // Subscribing to an address that does not answer with a calendar adds no calendar.
    mode = 'html';
    const other = await service({ clock });
    const error = await other.svc.subscribeIcs({ url: `${base}${path()}` }).catch((e: unknown) => e);
    expect(isCalendarError(error, 'ics_invalid')).toBe(true);
    expect((await other.svc.overview()).calendars).toEqual([]);
  });

  it('[ICS8] only https (webcal read as https), or http to this machine, without credentials; the same address once', async () => {
    const clock = manualClock(Date.now());
    const { svc } = await service({ clock });
    for (const url of [
      'http://calendar.example.com/x.ics',
      'ftp://x/y',
      'https://user:pw@example.com/x.ics',
      'not a url',
    ]) {
      const error = await svc.subscribeIcs({ url }).catch((e: unknown) => e);
      expect(isCalendarError(error, 'invalid_input')).toBe(true);
      expect((error as Error).message).not.toContain('pw');
    }
    answer = () => ({ status: 200, body: sampleCalendar(nextMonday(clock.now())) });
    const at = `${base}${path()}`;
    await svc.subscribeIcs({ url: at });
    const again = await svc.subscribeIcs({ url: at }).catch((e: unknown) => e);
    expect(isCalendarError(again, 'invalid_input')).toBe(true);
  });
});
