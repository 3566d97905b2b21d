import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGoogleOnlyZone, type FakeGoogleCalendar } from '../../tests/fakes/google-calendar/index';
import type { CalendarClient } from './client';
import { calendarStatus, syncCalendar } from './sync';
import { freshCalendar, rig, startFake, staticTokens, T0 } from '../../tests/fakes/google-calendar/rig';

let fake: FakeGoogleCalendar;
beforeAll(async () => {
  fake = await startFake();
});
afterAll(() => fake.close());

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const timed = (startMs: number, minutes: number) => ({
  start: { dateTime: iso(startMs), timeZone: 'America/Chicago' },
  end: { dateTime: iso(startMs + minutes * 60_000), timeZone: 'America/Chicago' },
});

/** The server's truth: what a fresh full listing of the cache's window returns. */
function serverView(calendarId: string, window: { timeMin: string; timeMax: string }) {
  const { items } = fake.store.list(calendarId, {
    singleEvents: true,
    showDeleted: false,
    timeMin: Date.parse(window.timeMin),
    timeMax: Date.parse(window.timeMax),
  });
  return items
    .map((e) => ({
      id: e.id as string,
      etag: e.etag as string,
      summary: e.summary as string | undefined,
      start: e.start as unknown,
    }))
    .sort(byId);
}
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

async function cacheView(r: ReturnType<typeof rig>, calendarId: string) {
  return (await r.cache.listEvents(calendarId))
    .map((e) => ({ id: e.id, etag: e.etag!, summary: e.event.summary, start: e.start as unknown }))
    .sort(byId);
}

type Op =
  | { kind: 'create'; day: number; minutes: number; allDay: boolean }
  | { kind: 'edit'; target: number; day?: number; summary: string }
  | { kind: 'delete'; target: number }
  | { kind: 'series'; day: number; weekly: boolean; count?: number; untilDays?: number; byDay?: string[] }
  | { kind: 'editSeries'; target: number; summary?: string; count?: number }
  | { kind: 'deleteSeries'; target: number }
  | { kind: 'editInstance'; target: number; nth: number; summary: string }
  | { kind: 'cancelInstance'; target: number; nth: number }
  | { kind: 'expireToken' }
  | { kind: 'sync' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    day: fc.integer({ min: -45, max: 400 }),
    minutes: fc.integer({ min: 15, max: 180 }),
    allDay: fc.boolean(),
  }),
  fc.record(
    {
      kind: fc.constant('edit' as const),
      target: fc.nat(),
      day: fc.option(fc.integer({ min: -45, max: 400 }), { nil: undefined }),
      summary: fc.string({ maxLength: 8 }),
    },
    { requiredKeys: ['kind', 'target', 'summary'] },
  ),
  fc.record({ kind: fc.constant('delete' as const), target: fc.nat() }),
  fc.record(
    {
      kind: fc.constant('series' as const),
      day: fc.integer({ min: -40, max: 60 }),
      weekly: fc.boolean(),
      count: fc.integer({ min: 1, max: 12 }),
      untilDays: fc.integer({ min: 0, max: 50 }),
      byDay: fc.subarray(['MO', 'TU', 'WE', 'TH', 'FR'], { minLength: 1 }),
    },
    { requiredKeys: ['kind', 'day', 'weekly'] },
  ),
  fc.record(
    {
      kind: fc.constant('editSeries' as const),
      target: fc.nat(),
      summary: fc.string({ maxLength: 8 }),
      count: fc.integer({ min: 1, max: 12 }),
    },
    { requiredKeys: ['kind', 'target'] },
  ),
  fc.record({ kind: fc.constant('deleteSeries' as const), target: fc.nat() }),
  fc.record({
    kind: fc.constant('editInstance' as const),
    target: fc.nat(),
    nth: fc.nat(),
    summary: fc.string({ maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('cancelInstance' as const), target: fc.nat(), nth: fc.nat() }),
  fc.constant({ kind: 'expireToken' as const }),
  fc.constant({ kind: 'sync' as const }),
);

/** Applies one change as "another client" on the fake. */
function apply(calendarId: string, op: Op, singles: string[], series: string[]): void {
  const pick = (list: string[], i: number) => (list.length === 0 ? undefined : list[i % list.length]);
  const s = fake.store;
  switch (op.kind) {
    case 'create': {
      const startMs = T0 + op.day * DAY;
      const body = op.allDay
        ? { start: { date: iso(startMs).slice(0, 10) }, end: { date: iso(startMs + DAY).slice(0, 10) } }
        : timed(startMs, op.minutes);
      singles.push(s.seedEvent(calendarId, { summary: 'one-off', ...body }).id as string);
      return;
    }
    case 'edit': {
      const id = pick(singles, op.target);
      if (id && s.get(calendarId, id).status !== 'cancelled')
        s.patch(calendarId, id, {
          summary: op.summary,
          ...(op.day !== undefined && timed(T0 + op.day * DAY, 30)),
        });
      return;
    }
    case 'delete': {
      const id = pick(singles, op.target);
      if (id && s.get(calendarId, id).status !== 'cancelled') s.delete(calendarId, id, {});
      return;
    }
    case 'series': {
      const parts = [`FREQ=${op.weekly ? 'WEEKLY' : 'DAILY'}`];
      if (op.count !== undefined) parts.push(`COUNT=${op.count}`);
      else if (op.untilDays !== undefined)
        parts.push(`UNTIL=${iso(T0 + (op.day + op.untilDays) * DAY).replace(/[-:]/g, '')}`);
      else if (!op.weekly) parts.push('COUNT=30');
      if (op.byDay && op.weekly) parts.push(`BYDAY=${op.byDay.join(',')}`);
      series.push(
        s.seedEvent(calendarId, {
          summary: 'series',
          ...timed(T0 + op.day * DAY, 45),
          recurrence: [`RRULE:${parts.join(';')}`],
        }).id as string,
      );
      return;
    }
    case 'editSeries': {
      const id = pick(series, op.target);
      if (!id || s.get(calendarId, id).status === 'cancelled') return;
      const master = s.get(calendarId, id);
      const rule = (master.recurrence as string[])[0]!.replace(/;(COUNT|UNTIL)=[^;]+/, '');
      s.patch(calendarId, id, {
        ...(op.summary !== undefined && { summary: op.summary }),
        ...(op.count !== undefined && { recurrence: [`${rule};COUNT=${op.count}`] }),
      });
      return;
    }
    case 'deleteSeries': {
      const id = pick(series, op.target);
      if (id && s.get(calendarId, id).status !== 'cancelled') s.delete(calendarId, id, {});
      return;
    }
    case 'editInstance':
    case 'cancelInstance': {
      const id = pick(series, op.target);
      if (!id) return;
      const live = s
        .list(calendarId, { singleEvents: true, showDeleted: false })
        .items.filter((e) => e.recurringEventId === id);
      const inst = pick(
        live.map((e) => e.id as string),
        op.nth,
      );
      if (!inst) return;
      if (op.kind === 'editInstance') s.patch(calendarId, inst, { summary: op.summary });
      else s.delete(calendarId, inst, {});
      return;
    }
    case 'expireToken':
      fake.expireSyncTokens(calendarId);
      return;
    case 'sync':
      return;
  }
}

describe('sync against the fake', () => {
  it('[SYN1][SYN2][SYN3][SYN4][SYN7][SYN8] after any sequence of changes, each sync leaves the cache equal to the server', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 14 }), async (ops) => {
        const calendarId = freshCalendar(fake);
        const r = rig(fake);
        const singles: string[] = [];
        const series: string[] = [];
        for (const op of [...ops, { kind: 'sync' as const }]) {
          apply(calendarId, op, singles, series);
          if (op.kind !== 'sync') continue;
          await syncCalendar(r.deps, calendarId, { pageSize: 7 });
          const state = (await r.cache.getSyncState(calendarId))!;
          expect(await cacheView(r, calendarId)).toEqual(serverView(calendarId, state.window));
        }
      }),
      { numRuns: 60, seed: 20260105 },
    );
  });

  it('[SYN1] a full sync follows pageToken to the end, reports progress and keeps the nextSyncToken', async () => {
    const calendarId = freshCalendar(fake);
    for (let i = 0; i < 12; i++) fake.store.seedEvent(calendarId, timed(T0 + i * DAY, 30));
    const r = rig(fake);
    const progress: number[] = [];
    const report = await syncCalendar(r.deps, calendarId, {
      pageSize: 5,
      onProgress: (p) => progress.push(p.events),
    });
    expect(report).toMatchObject({ mode: 'full', pages: 3, upserted: 12 });
    expect(progress).toEqual([5, 10, 12]);
    expect((await r.cache.getSyncState(calendarId))?.syncToken).toBeTruthy();
    const again = await syncCalendar(r.deps, calendarId, { pageSize: 5 });
    expect(again).toMatchObject({ mode: 'incremental', pages: 1, upserted: 0, removed: 0 });
  });

  it('[SYN4] 410 on the sync token: full resync, and what was deleted meanwhile is removed by diff', async () => {
    const calendarId = freshCalendar(fake);
    const a = fake.store.seedEvent(calendarId, timed(T0 + DAY, 30));
    fake.store.seedEvent(calendarId, timed(T0 + 2 * DAY, 30));
    const r = rig(fake);
    await syncCalendar(r.deps, calendarId);
    fake.store.delete(calendarId, a.id, {});
    fake.expireSyncTokens(calendarId);
    const report = await syncCalendar(r.deps, calendarId);
    expect(report).toMatchObject({ mode: 'full', recoveredFromExpiredToken: true, removed: 1 });
    expect((await r.cache.listEvents(calendarId)).map((e) => e.id)).not.toContain(a.id);
    expect(await r.cache.listEvents(calendarId)).toHaveLength(1);
  });

  it('[SYN5] a full sync that fails mid-way resumes from its last page, not from the start', async () => {
    const calendarId = freshCalendar(fake);
    for (let i = 0; i < 10; i++) fake.store.seedEvent(calendarId, timed(T0 + i * DAY, 30));
    const r = rig(fake);
    let pages = 0;
    await expect(
      syncCalendar(r.deps, calendarId, {
        pageSize: 4,
        onProgress: () => {
          pages++;
          if (pages === 1) fake.fail({ status: 503, count: 4, method: 'GET' });
        },
      }),
    ).rejects.toMatchObject({ code: 'server_error' });
    const state = (await r.cache.getSyncState(calendarId))!;
    expect(state.fullSync?.pageToken).toBeTruthy();
    expect(state.health).toBe('degraded');
    expect(await r.cache.listEvents(calendarId)).toHaveLength(4);
    fake.requests.length = 0;
    const report = await syncCalendar(r.deps, calendarId, { pageSize: 4 });
    expect(report.pages).toBe(2); // pages 2 and 3 only
    expect(fake.requests.every((q) => q.query.pageToken !== undefined)).toBe(true);
    expect(await r.cache.listEvents(calendarId)).toHaveLength(10);
  });

  it('[SYN3] an incremental sync that fails keeps the last good token; the next one catches up', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    await syncCalendar(r.deps, calendarId);
    const before = (await r.cache.getSyncState(calendarId))!.syncToken;
    fake.store.seedEvent(calendarId, timed(T0 + DAY, 30));
    fake.fail({ status: 500, count: 4 });
    await expect(syncCalendar(r.deps, calendarId)).rejects.toMatchObject({ code: 'server_error' });
    expect((await r.cache.getSyncState(calendarId))!.syncToken).toBe(before);
    await syncCalendar(r.deps, calendarId);
    expect(await r.cache.listEvents(calendarId)).toHaveLength(1);
  });

  it('[ERR5] quota exhaustion degrades: cached events stay, with their age', async () => {
    const calendarId = freshCalendar(fake);
    fake.store.seedEvent(calendarId, timed(T0 + DAY, 30));
    const r = rig(fake);
    await syncCalendar(r.deps, calendarId);
    r.clock.advance(3_600_000);
    fake.fail({ status: 403, reason: 'quotaExceeded' });
    await expect(syncCalendar(r.deps, calendarId)).rejects.toMatchObject({ code: 'quota_exhausted' });
    expect(r.clock.sleeps).toEqual([]); // not retried: the day's quota will not come back in seconds
    expect(await calendarStatus(r.deps, calendarId)).toEqual({
      state: 'degraded',
      reason: 'quota_exhausted',
      lastSyncedAt: T0,
      ageMs: 3_600_000,
    });
    expect(await r.cache.listEvents(calendarId)).toHaveLength(1);
    await syncCalendar(r.deps, calendarId);
    expect(await calendarStatus(r.deps, calendarId)).toMatchObject({ state: 'ok', ageMs: 0 });
  });

  it('[ERR4] 401: one token refresh, then a reconnect_required state', async () => {
    const calendarId = freshCalendar(fake);
    const tokens = staticTokens('test');
    const r = rig(fake, tokens);
    await syncCalendar(r.deps, calendarId);
    fake.fail({ status: 401 });
    await syncCalendar(r.deps, calendarId);
    expect(tokens.refreshes).toBe(1);
    const bad = rig(fake, staticTokens('revoked'));
    await expect(syncCalendar({ ...bad.deps, cache: r.cache }, calendarId)).rejects.toMatchObject({
      code: 'reconnect_required',
    });
    expect(await calendarStatus(r.deps, calendarId)).toMatchObject({
      state: 'reconnect_required',
      lastSyncedAt: T0,
    });
  });

  it('[SYN6] once the window runs short, the next sync re-lists with a moved window', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    await syncCalendar(r.deps, calendarId, { futureDays: 10 });
    r.clock.advance(6 * DAY);
    const report = await syncCalendar(r.deps, calendarId, { futureDays: 10 });
    expect(report.mode).toBe('full');
    expect(Date.parse((await r.cache.getSyncState(calendarId))!.window.timeMax)).toBe(T0 + 16 * DAY);
  });
});

describe('zones and failures', () => {
  it('[TIM2] an event stored without an offset syncs to the instant its own zone gives, on machines in any zone', async () => {
    const calendarId = freshCalendar(fake, 'Europe/Paris');
    const la = fake.store.seedEvent(calendarId, {
      start: { dateTime: '2026-01-07T09:00:00', timeZone: 'America/Los_Angeles' },
      end: { dateTime: '2026-01-07T10:00:00', timeZone: 'America/Los_Angeles' },
    });
    // No event zone: the calendar's (Paris).
    const paris = fake.store.seedEvent(calendarId, {
      start: { dateTime: '2026-01-08T09:00:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2026-01-08T09:30:00', timeZone: 'Europe/Paris' },
    });
    const saved = process.env.TZ;
    const seen: number[][] = [];
    try {
      for (const machine of ['UTC', 'Asia/Tokyo', 'America/New_York']) {
        process.env.TZ = machine;
        const r = rig(fake);
        await syncCalendar(r.deps, calendarId);
        const cached = [
          await r.cache.getEvent(calendarId, la.id),
          await r.cache.getEvent(calendarId, paris.id),
        ];
        seen.push(cached.flatMap((e) => [e!.startMs, e!.endMs]));
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    const expected = [
      Date.parse('2026-01-07T17:00:00Z'),
      Date.parse('2026-01-07T18:00:00Z'),
      Date.parse('2026-01-08T08:00:00Z'),
      Date.parse('2026-01-08T08:30:00Z'),
    ];
    expect(seen).toEqual([expected, expected, expected]);
  });

  it('[SYN11][TIM3] an event in a zone this runtime does not know fails the sync with a typed error, every time, and the calendar is degraded with its last good sync', async () => {
    const calendarId = freshCalendar(fake);
    fake.store.seedEvent(calendarId, timed(T0 + DAY, 30));
    const r = rig(fake);
    await syncCalendar(r.deps, calendarId);
    // Google's tz database is newer than this runtime's: the fake knows a zone the runtime does not.
    addGoogleOnlyZone('America/Parley_Springs', 'America/Denver');
    const odd = fake.store.seedEvent(calendarId, {
      start: { dateTime: '2026-01-07T09:00:00', timeZone: 'America/Parley_Springs' },
      end: { dateTime: '2026-01-07T10:00:00', timeZone: 'America/Parley_Springs' },
    });
    for (let i = 0; i < 3; i++) {
      r.clock.advance(15 * 60_000);
      const failure = await syncCalendar(r.deps, calendarId).catch((e: unknown) => e);
      expect(failure).toMatchObject({ name: 'CalendarError', code: 'unknown_time_zone' });
    }
    expect(await calendarStatus(r.deps, calendarId)).toEqual({
      state: 'degraded',
      reason: 'unknown_time_zone',
      lastSyncedAt: T0,
      ageMs: 45 * 60_000,
    });
    // Once the event is gone (or the runtime learns the zone), the next sync is healthy again.
    fake.store.delete(calendarId, odd.id, {});
    await syncCalendar(r.deps, calendarId);
    expect(await calendarStatus(r.deps, calendarId)).toMatchObject({ state: 'ok', ageMs: 0 });
  });

  it('[SYN11] any failure degrades: errors that used to leave "ok", a first sync, and a bug that is not a CalendarError', async () => {
    // A calendar deleted on Google (404) after a good sync.
    const gone = freshCalendar(fake);
    const r = rig(fake);
    await syncCalendar(r.deps, gone);
    fake.fail({ status: 404, path: encodeURIComponent(gone) });
    await expect(syncCalendar(r.deps, gone)).rejects.toMatchObject({ code: 'not_found' });
    expect(await calendarStatus(r.deps, gone)).toMatchObject({
      state: 'degraded',
      reason: 'not_found',
      lastSyncedAt: T0,
    });

    // The very first sync refused (400): degraded, not "never synced", and no last good time to show.
    const first = freshCalendar(fake);
    fake.fail({ status: 400, path: encodeURIComponent(first) });
    await expect(syncCalendar(r.deps, first)).rejects.toMatchObject({ code: 'bad_request' });
    expect(await calendarStatus(r.deps, first)).toEqual({ state: 'degraded', reason: 'bad_request' });

    // A bug elsewhere (a TypeError from a broken client): typed on the way out, recorded like the rest.
    const buggy = freshCalendar(fake);
    await syncCalendar(r.deps, buggy);
    const broken = {
      listEvents: () => Promise.reject(new TypeError('x is not a function')),
    } as unknown as CalendarClient;
    const failure = await syncCalendar({ ...r.deps, client: broken }, buggy).catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'CalendarError', code: 'unexpected' });
    expect((failure as Error).cause).toBeInstanceOf(TypeError);
    expect(await calendarStatus(r.deps, buggy)).toMatchObject({ state: 'degraded', reason: 'unexpected' });
  });
});
