import 'fake-indexeddb/auto';
import { base64urlnopad } from '@scure/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addGoogleOnlyZone,
  startFakeGoogleCalendar,
  type FakeGoogleCalendar,
} from '../../tests/fakes/google-calendar';
import { availabilityFromCache, findSlots, parsePreferences } from '../scheduling';
import { manualClock, type Clock } from './clock';
import { openVault } from '../vault';
import { GoogleOAuth } from './oauth';
import { CalendarService, type CalendarChoice, type CalendarOverview } from './service';
import { vaultCalendarCache } from './vault-cache';
import { eventIdForNegotiation } from './writes';

/** The calendar service as the agent runs it: the fake over real HTTP, the vault cache, a stored token. */
let fake: FakeGoogleCalendar;
beforeAll(async () => {
  fake = await startFakeGoogleCalendar({});
});
afterAll(() => fake.close());

async function service(onChange: () => void, clock?: Clock) {
  const vaultName = `svc-${crypto.randomUUID()}`;
  const vault = await openVault({
    name: vaultName,
    kdf: { iterations: 1000, allowWeakIterationsForTests: true },
  });
  await vault.setUp('test passphrase');
  let choices: CalendarChoice[] | undefined;
  const cache = vaultCalendarCache(vault);
  const oauth = new GoogleOAuth({
    config: () => ({
      clientId: 'x',
      authUrl: `${fake.url}/o/oauth2/v2/auth`,
      tokenUrl: `${fake.url}/token`,
      revokeUrl: `${fake.url}/revoke`,
    }),
    launchWebAuthFlow: async () => {
      throw new Error('not used');
    },
    redirectUri: 'https://x.chromiumapp.org/',
    load: async () => ({ accessToken: 'test', expiresAt: Date.now() + 3_600_000, scope: '' }),
    save: async () => undefined,
    clear: async () => undefined,
  });
  const svc = new CalendarService({
    oauth,
    cache,
    apiBaseUrl: () => `${fake.url}/calendar/v3`,
    loadChoices: async () => choices,
    saveChoices: async (c) => void (choices = c),
    onChange,
    ...(clock && { clock }),
  });
  return { svc, cache, vaultName, choose: (c: CalendarChoice[]) => (choices = c) };
}

const HOUR = 3_600_000;
/** A calendar of the person's on the fake, with a unique id (no characters that get percent-encoded). */
function calendar(name: string, primary = false): string {
  const id = `${name}-${crypto.randomUUID()}`;
  fake.store.addCalendar({ id, timeZone: 'Europe/Paris', primary });
  return id;
}
const choice = (id: string, primary = false, selected = true): CalendarChoice => ({
  id,
  summary: id,
  primary,
  selected,
});
const nextHour = () => Math.ceil(Date.now() / HOUR) * HOUR + 24 * HOUR;
const writesTo = (calendarId: string, method: string) =>
  fake.requests.filter((r) => r.method === method && r.path.includes(calendarId)).length;

describe('calendar service', () => {
  it('[CAL6] a long sync reports its progress, page by page, then the count and freshness', async () => {
    const calendarId = 'long@example.com';
    fake.store.addCalendar({ id: calendarId, timeZone: 'UTC' });
    const now = Date.now();
    for (let i = 0; i < 2600; i++) {
      fake.store.seedEvent(calendarId, {
        summary: `e${i}`,
        start: { dateTime: new Date(now + i * 3_600_000).toISOString() },
        end: { dateTime: new Date(now + i * 3_600_000 + 1_800_000).toISOString() },
      });
    }
    const seen: CalendarOverview[] = [];
    const ref: { svc?: CalendarService } = {};
    const { svc, choose } = await service(() => void ref.svc?.overview().then((o) => seen.push(o)));
    ref.svc = svc;
    choose([{ id: calendarId, summary: 'Long', primary: true, selected: true }]);
    await svc.sync();
    await new Promise((r) => setTimeout(r, 50));
    const progress = seen.filter((o) => o.syncing && o.progress).map((o) => o.progress!.events);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...progress)).toBeGreaterThanOrEqual(2500); // the first page (maxResults 2500) was reported
    const done = await svc.overview();
    expect(done).toMatchObject({ connected: true, syncing: false, events: expect.any(Number) });
    expect(done.progress).toBeUndefined();
    expect(done.lastSyncedAt).toBeGreaterThan(0);
  });
});

describe('calendar service: busy times and bookings', () => {
  it('[CAL3] reads busy times of the selected calendars only, without titles; a calendar never synced or whose last sync failed is known nowhere', async () => {
    const synced = calendar('synced', true);
    const failing = calendar('failing');
    const later = calendar('later');
    const unselected = calendar('unselected');
    const start = nextHour();
    for (const [id, title] of [
      [synced, 'Dentist with Dana'],
      [failing, 'Therapy'],
      [later, 'Job interview'],
      [unselected, 'Secret project'],
    ] as const) {
      fake.store.seedEvent(id, {
        summary: title,
        start: { dateTime: new Date(start).toISOString() },
        end: { dateTime: new Date(start + HOUR).toISOString() },
      });
    }
    const { svc, choose } = await service(() => undefined);
    choose([choice(synced, true), choice(failing), choice(unselected, false, false)]);
    await svc.sync();
    // The next sync of `failing` meets an exhausted quota: its calendar degrades.
    fake.fail({ status: 403, reason: 'quotaExceeded', path: failing, count: 5 });
    await svc.sync();
    expect((await svc.overview()).calendars.find((c) => c.id === failing)?.state).toBe('degraded');
    // `later` is selected after the last sync: never synced.
    choose([choice(synced, true), choice(failing), choice(later), choice(unselected, false, false)]);

    const snapshot = await svc.busy({ start: start - HOUR, end: start + 2 * HOUR });
    const known = Object.fromEntries(snapshot.calendars.map((c) => [c.calendarId, c.known]));
    expect(Object.keys(known).sort()).toEqual([failing, later, synced].sort());
    expect(known[synced]).toHaveLength(1);
    expect(known[synced]![0]!.start).toBeLessThanOrEqual(start - HOUR);
    expect(known[synced]![0]!.end).toBeGreaterThanOrEqual(start + 2 * HOUR);
    expect(known[failing]).toEqual([]);
    expect(known[later]).toEqual([]);
    expect(snapshot.events.filter((e) => e.calendarId === synced)).toEqual([
      expect.objectContaining({ kind: 'timed', status: 'busy', start, end: start + HOUR }),
    ]);
    expect(snapshot.events.some((e) => e.calendarId === unselected)).toBe(false);
    const text = JSON.stringify(snapshot);
    for (const title of ['Dentist', 'Therapy', 'interview', 'Secret']) expect(text).not.toContain(title);
  });

  it('[CAL7] the agenda is read from the local cache: the person’s own titles, in order, without declined or free events, and no request to Google', async () => {
    const mine = calendar('agenda', true);
    const other = calendar('agenda-unselected');
    const start = nextHour();
    const at = (h: number) => ({ dateTime: new Date(start + h * HOUR).toISOString() });
    fake.store.seedEvent(mine, { summary: 'Dentist', start: at(2), end: at(3) });
    fake.store.seedEvent(mine, { summary: 'Standup', start: at(0), end: at(1) });
    fake.store.seedEvent(mine, {
      summary: 'Focus time',
      transparency: 'transparent',
      start: at(4),
      end: at(5),
    });
    fake.store.seedEvent(mine, {
      summary: 'Declined party',
      attendees: [{ email: 'me@example.com', self: true, responseStatus: 'declined' }],
      start: at(6),
      end: at(7),
    });
    fake.store.seedEvent(mine, { summary: 'Much later', start: at(48), end: at(49) });
    fake.store.seedEvent(other, { summary: 'Not selected', start: at(1), end: at(2) });
    const { svc, choose } = await service(() => undefined);
    choose([choice(mine, true), choice(other, false, false)]);
    await svc.sync();
    const requests = fake.requests.length;
    const agenda = await svc.agenda({ start, end: start + 24 * HOUR });
    expect(agenda.map((e) => [e.title, e.start])).toEqual([
      ['Standup', start],
      ['Dentist', start + 2 * HOUR],
    ]);
    expect(agenda[0]).toMatchObject({ allDay: false, byParley: false, end: start + HOUR });
    expect(fake.requests.length).toBe(requests);
  });

  it('[CAL4] books on the primary calendar (or the first selected one) with the WRT1 id', async () => {
    const other = calendar('other');
    const primary = calendar('primary', true);
    const { svc, choose } = await service(() => undefined);
    choose([choice(other), choice(primary, true)]);
    const start = nextHour();
    const input = { title: 'Coffee', start, end: start + HOUR, timeZone: 'Europe/Paris' };

    const id = await svc.book({ ...input, negotiationId: 'neg-cal4-a' });
    expect(id).toBe(await eventIdForNegotiation('neg-cal4-a'));
    expect(id).toMatch(/^[a-v0-9]{52}$/);
    const booked = fake.store.get(primary, id);
    expect(booked.extendedProperties?.private?.parleyNegotiation).toBe('neg-cal4-a');
    expect(Date.parse(booked.start!.dateTime!)).toBe(start);
    expect(() => fake.store.get(other, id)).toThrow();

    // The primary calendar does not count: the first selected one gets the booking.
    choose([choice(primary, true, false), choice(other)]);
    const second = await svc.book({ ...input, negotiationId: 'neg-cal4-b' });
    expect(fake.store.get(other, second).extendedProperties?.private?.parleyNegotiation).toBe('neg-cal4-b');
    expect(() => fake.store.get(primary, second)).toThrow();
  });

  it('[CAL5] booking a negotiation again moves its event (PATCH) instead of creating another', async () => {
    const primary = calendar('moves', true);
    const { svc, choose } = await service(() => undefined);
    choose([choice(primary, true)]);
    const start = nextHour();
    const booking = { negotiationId: 'neg-cal5', title: 'Review', timeZone: 'Europe/Paris' };

    const id = await svc.book({ ...booking, start, end: start + HOUR });
    const etag = fake.store.get(primary, id).etag;
    const moved = await svc.book({ ...booking, start: start + 2 * HOUR, end: start + 3 * HOUR });
    expect(moved).toBe(id);
    const event = fake.store.get(primary, id);
    expect(Date.parse(event.start!.dateTime!)).toBe(start + 2 * HOUR);
    expect(Date.parse(event.end!.dateTime!)).toBe(start + 3 * HOUR);
    expect(event.etag).not.toBe(etag);
    expect(writesTo(primary, 'POST')).toBe(1);
    expect(writesTo(primary, 'PATCH')).toBe(1);
    const listed = fake.store.list(primary, {} as Parameters<typeof fake.store.list>[1]).items;
    expect(listed.filter((e) => e.status !== 'cancelled')).toHaveLength(1);

    // Booked again at the same time (a retry): nothing is written.
    await svc.book({ ...booking, start: start + 2 * HOUR, end: start + 3 * HOUR });
    expect(writesTo(primary, 'POST') + writesTo(primary, 'PATCH')).toBe(2);
  });

  it('[CON6] a change the person made on Google beats the agent’s move and cancellation outright, and leaves no conflict to decide', async () => {
    const primary = calendar('person-wins', true);
    const { svc, cache, choose } = await service(() => undefined);
    choose([choice(primary, true)]);
    const start = nextHour();
    const booking = { negotiationId: 'neg-con6', title: 'Planning', timeZone: 'Europe/Paris' };
    const id = await svc.book({ ...booking, start, end: start + HOUR });

    // The person moves the meeting in Google Calendar; Parley's cache still has the old etag.
    const personStart = new Date(start + 5 * HOUR).toISOString();
    const personEnd = new Date(start + 6 * HOUR).toISOString();
    fake.store.patch(primary, id, { start: { dateTime: personStart }, end: { dateTime: personEnd } });

    // The agent then reschedules: its PATCH carries the stored etag, Google answers 412, the person wins.
    await svc.book({ ...booking, start: start + 2 * HOUR, end: start + 3 * HOUR });
    expect(Date.parse(fake.store.get(primary, id).start!.dateTime!)).toBe(Date.parse(personStart));
    // And cancels: the person's version was changed after the agent last saw it, so it stays.
    fake.store.patch(primary, id, { summary: 'Planning (moved by me)' });
    await svc.cancelBooking(booking.negotiationId);
    const kept = fake.store.get(primary, id);
    expect(kept.status).not.toBe('cancelled');
    expect(kept.summary).toBe('Planning (moved by me)');

    expect(await cache.listConflicts()).toEqual([]);
    expect((await cache.listLocalWrites()).filter((w) => w.state === 'conflict')).toEqual([]);
    // The cache now holds the person's version.
    expect((await cache.getEvent(primary, id))?.startMs).toBe(Date.parse(personStart));
  });
});

describe('calendar service: failures the person sees, and what scheduling may offer', () => {
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

  it('[SYN11][CAL3] syncs that keep failing leave the calendar degraded in the overview, with its last good sync and what to do; scheduling offers none of its time', async () => {
    const id = calendar('degrades', true);
    const start = nextHour();
    fake.store.seedEvent(id, {
      summary: 'Dentist',
      start: { dateTime: new Date(start).toISOString() },
      end: { dateTime: new Date(start + HOUR).toISOString() },
    });
    const clock = manualClock(Date.now());
    const t0 = clock.now();
    const { svc, choose } = await service(() => undefined, clock);
    choose([choice(id, true)]);
    await svc.sync();
    const window = { start: start - 3 * HOUR, end: start + 3 * HOUR };
    const healthy = await offered(svc, window, clock.now());
    expect(healthy.ranked.length).toBeGreaterThan(0);
    expect(healthy.ranked.every((s) => s.end <= start || s.start >= start + HOUR)).toBe(true);

    // An event arrives in a zone Google knows and this runtime does not (wall-clock times, no offset);
    // three syncs fail, 5 minutes apart.
    addGoogleOnlyZone('Europe/Parley_Island', 'Europe/Paris');
    const wall = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    fake.store.seedEvent(id, {
      summary: 'Offsite',
      start: { dateTime: wall(start + 48 * HOUR), timeZone: 'Europe/Parley_Island' },
      end: { dateTime: wall(start + 50 * HOUR), timeZone: 'Europe/Parley_Island' },
    });
    for (let i = 0; i < 3; i++) {
      clock.advance(5 * 60_000);
      await svc.sync();
    }
    const overview = await svc.overview();
    expect(overview.calendars[0]).toMatchObject({
      id,
      state: 'degraded',
      reason: 'unknown_time_zone',
      lastSyncedAt: t0,
      message: expect.stringContaining('time zone'),
    });
    expect(overview.lastSyncedAt).toBe(t0);
    expect(overview.error?.code).toBe('unknown_time_zone');
    // 15 minutes old, inside the CAL8 bound: it is the failure, not the age, that makes it unknown.
    const snapshot = await svc.busy(window);
    expect(snapshot.calendars).toEqual([{ calendarId: id, known: [] }]);
    const degraded = await offered(svc, window, clock.now());
    expect(degraded.free).toEqual([]);
    expect(degraded.ranked).toEqual([]);
  });

  it('[CAL8] a calendar whose last good sync is older than 30 minutes (injectable) counts as unknown, never free', async () => {
    const id = calendar('stale', true);
    const start = nextHour();
    const clock = manualClock(Date.now());
    const { svc, choose } = await service(() => undefined, clock);
    choose([choice(id, true)]);
    await svc.sync();
    const window = { start: start - 3 * HOUR, end: start + 3 * HOUR };
    clock.advance(30 * 60_000);
    expect((await svc.busy(window)).calendars[0]!.known).toHaveLength(1);
    expect((await offered(svc, window, clock.now())).ranked.length).toBeGreaterThan(0);
    clock.advance(1);
    expect((await svc.busy(window)).calendars[0]!.known).toEqual([]);
    expect(await offered(svc, window, clock.now())).toEqual({ free: [], ranked: [] });
  });

  it('[DPG8] a calendar whose cached page was damaged counts as unknown, never free, until a full resync', async () => {
    const damaged = calendar('damaged', true);
    const intact = calendar('intact');
    const start = nextHour();
    for (const id of [damaged, intact]) {
      fake.store.seedEvent(id, {
        summary: 'Busy',
        start: { dateTime: new Date(start).toISOString() },
        end: { dateTime: new Date(start + HOUR).toISOString() },
      });
    }
    const { svc, choose, vaultName } = await service(() => undefined);
    choose([choice(damaged, true), choice(intact)]);
    await svc.sync();
    const window = { start: start - 3 * HOUR, end: start + 3 * HOUR };
    const before = await svc.busy(window);
    expect(before.calendars.map((c) => c.known.length)).toEqual([1, 1]);
    expect(before.events.map((e) => e.calendarId).sort()).toEqual([damaged, intact].sort());

    // On disk: one bit of the damaged calendar's page flips.
    const input = new TextEncoder().encode(`parley/calendar/cal\u0000${damaged}`);
    const key = base64urlnopad.encode(
      new Uint8Array(await crypto.subtle.digest('SHA-256', input)).subarray(0, 16),
    );
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(vaultName);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('eventPages', 'readwrite');
      const req = tx.objectStore('eventPages').getAll();
      req.onsuccess = () => {
        for (const page of req.result as { id: string; ciphertext: ArrayBuffer }[]) {
          if (!page.id.startsWith(`${key}:`)) continue;
          new Uint8Array(page.ciphertext)[0]! ^= 1;
          tx.objectStore('eventPages').put(page);
        }
      };
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();

    const after = await svc.busy(window);
    expect(after.calendars).toEqual([
      { calendarId: damaged, known: [] },
      { calendarId: intact, known: [expect.any(Object)] },
    ]);
    expect(after.events.map((e) => e.calendarId)).toEqual([intact]);
    expect((await svc.overview()).calendars.find((c) => c.id === damaged)).toMatchObject({
      state: 'degraded',
      reason: 'cache_damaged',
    });

    // The next sync is a full one and brings the calendar back.
    await svc.sync();
    const resynced = await svc.busy(window);
    expect(resynced.calendars.map((c) => c.known.length)).toEqual([1, 1]);
    expect(resynced.events.map((e) => e.calendarId).sort()).toEqual([damaged, intact].sort());
  });
});
