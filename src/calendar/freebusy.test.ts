import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGoogleCalendar } from '../../tests/fakes/google-calendar/index';
import { freeBusy } from './freebusy';
import { syncCalendar } from './sync';
import { freshCalendar, rig, startFake, T0 } from '../../tests/fakes/google-calendar/rig';

let fake: FakeGoogleCalendar;
beforeAll(async () => {
  fake = await startFake();
});
afterAll(() => fake.close());

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('free/busy', () => {
  it('[FB2] answers from a fresh cache without a request; skips transparent and declined events; all-day in the calendar zone', async () => {
    const calendarId = freshCalendar(fake, 'Asia/Tokyo');
    fake.store.seedEvent(calendarId, {
      start: { dateTime: iso(T0 + H) },
      end: { dateTime: iso(T0 + 2 * H) },
    });
    fake.store.seedEvent(calendarId, {
      start: { dateTime: iso(T0 + 3 * H) },
      end: { dateTime: iso(T0 + 4 * H) },
      transparency: 'transparent',
    });
    fake.store.seedEvent(calendarId, {
      start: { dateTime: iso(T0 + 5 * H) },
      end: { dateTime: iso(T0 + 6 * H) },
      attendees: [{ email: 'me@example.com', self: true, responseStatus: 'declined' }],
    });
    fake.store.seedEvent(calendarId, { start: { date: '2026-01-10' }, end: { date: '2026-01-11' } });
    const r = rig(fake);
    await syncCalendar(r.deps, calendarId);
    const calls = r.client.calls;
    const res = await freeBusy(r.deps, { calendarIds: [calendarId], fromMs: T0, toMs: T0 + 240 * H });
    expect(r.client.calls).toBe(calls);
    expect(res[calendarId]).toEqual({
      kind: 'known',
      source: 'cache',
      busy: [
        { startMs: T0 + H, endMs: T0 + 2 * H },
        // Midnight to midnight in Tokyo (UTC+9).
        { startMs: Date.parse('2026-01-09T15:00:00Z'), endMs: Date.parse('2026-01-10T15:00:00Z') },
      ],
    });
  });

  it('[FB3] asks the freebusy endpoint for calendars the cache cannot answer for, and agrees with the cache', async () => {
    const calendarId = freshCalendar(fake);
    fake.store.seedEvent(calendarId, {
      start: { dateTime: iso(T0 + H) },
      end: { dateTime: iso(T0 + 2 * H) },
    });
    const r = rig(fake);
    const remote = await freeBusy(r.deps, { calendarIds: [calendarId], fromMs: T0, toMs: T0 + 24 * H });
    await syncCalendar(r.deps, calendarId);
    const cached = await freeBusy(r.deps, { calendarIds: [calendarId], fromMs: T0, toMs: T0 + 24 * H });
    expect(remote[calendarId]).toMatchObject({ kind: 'known', source: 'freebusy' });
    expect(cached[calendarId]).toMatchObject({ kind: 'known', source: 'cache' });
    expect((remote[calendarId] as { busy: unknown }).busy).toEqual(
      (cached[calendarId] as { busy: unknown }).busy,
    );
    r.clock.advance(H); // the cache is now too old to trust
    expect(
      (await freeBusy(r.deps, { calendarIds: [calendarId], fromMs: T0, toMs: T0 + 24 * H }))[calendarId],
    ).toMatchObject({ source: 'freebusy' });
  });

  it('[FB1] a calendar that could not be read is unknown, never free', async () => {
    const r = rig(fake);
    const res = await freeBusy(r.deps, { calendarIds: ['nobody@example.com'], fromMs: T0, toMs: T0 + H });
    expect(res['nobody@example.com']).toEqual({ kind: 'unknown', reason: 'notFound' });
    fake.fail({ status: 500, count: 4, path: 'freeBusy' });
    const down = await freeBusy(r.deps, { calendarIds: ['primary'], fromMs: T0, toMs: T0 + H });
    expect(down['primary']).toEqual({ kind: 'unknown', reason: 'server_error' });
    await expect(freeBusy(r.deps, { calendarIds: ['primary'], fromMs: T0, toMs: T0 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
