import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVault } from '../vault';
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from '../../tests/fakes/google-calendar';
import { MemoryCalendarCache, type CachedEvent, type CalendarCache } from './cache';
import { CalendarClient } from './client';
import { manualClock } from './clock';
import { syncCalendar } from './sync';
import { vaultCalendarCache } from './vault-cache';

/** The vault-backed cache behaves exactly like the in-memory reference, and sync runs on it. */
async function vaultCache(): Promise<CalendarCache> {
  const vault = await openVault({
    name: `cal-${crypto.randomUUID()}`,
    kdf: { iterations: 1000, allowWeakIterationsForTests: true },
  });
  await vault.setUp('test passphrase');
  return vaultCalendarCache(vault);
}

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');

function event(
  calendarId: string,
  id: string,
  startH: number,
  lenH: number,
  generation: number,
  series?: string,
): CachedEvent {
  const startMs = T0 + startH * HOUR;
  const endMs = startMs + lenH * HOUR;
  return {
    calendarId,
    id,
    status: 'confirmed',
    start: { dateTime: new Date(startMs).toISOString() },
    end: { dateTime: new Date(endMs).toISOString() },
    startMs,
    endMs,
    allDay: false,
    updated: new Date(T0).toISOString(),
    transparent: false,
    declined: false,
    origin: 'user',
    generation,
    ...(series ? { recurringEventId: series } : {}),
    event: { id, status: 'confirmed', summary: `secret title ${id}` } as CachedEvent['event'],
  };
}

const op = fc.oneof(
  fc.record({
    kind: fc.constant('upsert' as const),
    cal: fc.constantFrom('a@example.com', 'b@example.com'),
    id: fc.constantFrom('e1', 'e2', 'e3', 'e4', 'e5', 'e6'),
    startH: fc.integer({ min: 0, max: 24 * 30 }),
    lenH: fc.integer({ min: 1, max: 24 * 20 }),
    gen: fc.integer({ min: 1, max: 3 }),
    series: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('remove' as const),
    cal: fc.constantFrom('a@example.com', 'b@example.com'),
    id: fc.constantFrom('e1', 'e2', 'e3'),
  }),
  fc.record({ kind: fc.constant('clear' as const), cal: fc.constantFrom('a@example.com', 'b@example.com') }),
);

async function observe(cache: CalendarCache, fromH: number, toH: number) {
  const out: unknown[] = [];
  for (const cal of ['a@example.com', 'b@example.com']) {
    out.push((await cache.listEvents(cal)).map((e) => e.id));
    out.push(
      (await cache.listEvents(cal, { fromMs: T0 + fromH * HOUR, toMs: T0 + toH * HOUR })).map((e) => e.id),
    );
    out.push((await cache.staleEventIds(cal, 2)).sort());
    out.push((await cache.instanceIds(cal, 's1')).sort());
    out.push(await cache.getEvent(cal, 'e1'));
  }
  return out;
}

describe('vault calendar cache', () => {
  it('[VCC1] answers every query like the in-memory reference after any sequence of changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 25 }),
        fc.integer({ min: 0, max: 24 * 40 }),
        fc.integer({ min: 1, max: 24 * 10 }),
        async (ops, fromH, lenH) => {
          const reference = new MemoryCalendarCache();
          const subject = await vaultCache();
          for (const o of ops) {
            for (const cache of [reference, subject]) {
              if (o.kind === 'upsert')
                await cache.applyChanges(o.cal, [event(o.cal, o.id, o.startH, o.lenH, o.gen, o.series)], []);
              else if (o.kind === 'remove') await cache.applyChanges(o.cal, [], [o.id]);
              else await cache.clearCalendar(o.cal);
            }
          }
          expect(await observe(subject, fromH, fromH + lenH)).toEqual(
            await observe(reference, fromH, fromH + lenH),
          );
        },
      ),
      { numRuns: 40, seed: 20261124 },
    );
  });

  it('[VCC2] keeps local writes, conflicts and decisions, and no calendar id or title in clear', async () => {
    const vaultName = `cal-${crypto.randomUUID()}`;
    const vault = await openVault({
      name: vaultName,
      kdf: { iterations: 1000, allowWeakIterationsForTests: true },
    });
    await vault.setUp('test passphrase');
    const cache = vaultCalendarCache(vault);
    await cache.applyChanges('dana@example.com', [event('dana@example.com', 'e1', 1, 1, 1)], []);
    const write = {
      key: 'k1',
      calendarId: 'dana@example.com',
      eventId: 'e1',
      op: 'create' as const,
      body: {},
      origin: 'agent' as const,
      madeAt: T0,
      state: 'pending' as const,
    };
    await cache.putLocalWrite(write);
    await cache.putConflict({
      key: 'c1',
      calendarId: 'dana@example.com',
      eventId: 'e1',
      writeKey: 'k1',
      remote: null,
      detectedAt: T0,
    });
    await cache.putDecision({ key: 'c1', choice: 'local', decidedAt: T0 });
    expect(await cache.listLocalWrites()).toEqual([write]);
    expect((await cache.listConflicts()).map((c) => c.key)).toEqual(['c1']);
    expect((await cache.getDecision('c1'))?.choice).toBe('local');
    await cache.deleteLocalWrite('k1');
    expect(await cache.listLocalWrites()).toEqual([]);

    // What IndexedDB itself holds: scan every stored value of the vault's database.
    const raw = await new Promise<unknown[]>((resolve, reject) => {
      const open = indexedDB.open(vaultName);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction(['events', 'eventPages', 'syncState'], 'readonly');
        const all: unknown[] = [];
        for (const name of ['events', 'eventPages', 'syncState']) {
          const req = tx.objectStore(name).getAll();
          req.onsuccess = () => all.push(...req.result);
        }
        tx.oncomplete = () => {
          db.close();
          resolve(all);
        };
      };
    });
    const text = JSON.stringify(raw, (_k, v) =>
      v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? '<bytes>' : v,
    );
    expect(raw.length).toBeGreaterThan(0);
    expect(text).not.toContain('dana@example.com');
    expect(text).not.toContain('secret title');
  });
});

describe('sync into the vault', () => {
  let fake: FakeGoogleCalendar;
  beforeAll(async () => {
    fake = await startFakeGoogleCalendar({ now: () => T0 });
  });
  afterAll(() => fake.close());

  it('[VCC3] a full sync, an incremental one and a 410 recovery leave the vault equal to the server', async () => {
    const calendarId = 'vault-sync@example.com';
    fake.store.addCalendar({ id: calendarId, timeZone: 'Europe/London' });
    const clock = manualClock(T0);
    const client = new CalendarClient({
      baseUrl: `${fake.url}/calendar/v3`,
      tokens: { getToken: async () => 'test', refreshToken: async () => 'test' },
      clock,
    });
    const cache = await vaultCache();
    const deps = { client, cache, clock };
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const start = new Date(T0 + (i * 7 + 9) * HOUR).toISOString();
      const end = new Date(T0 + (i * 7 + 10) * HOUR).toISOString();
      const created = await client.insertEvent(
        calendarId,
        { summary: `meeting ${i}`, start: { dateTime: start }, end: { dateTime: end } },
        { sendUpdates: 'none' },
      );
      ids.push(created.id!);
    }
    const serverIds = async () =>
      (
        await client.listEvents(calendarId, {
          singleEvents: true,
          maxResults: 2500,
          timeMin: new Date(T0 - 30 * 24 * HOUR).toISOString(),
        })
      ).items
        .filter((e) => e.status !== 'cancelled')
        .map((e) => e.id)
        .sort();
    const cachedIds = async () => (await cache.listEvents(calendarId)).map((e) => e.id).sort();

    expect((await syncCalendar(deps, calendarId)).mode).toBe('full');
    expect(await cachedIds()).toEqual(await serverIds());

    await client.deleteEvent(calendarId, ids[3]!, { sendUpdates: 'none' });
    await client.patchEvent(calendarId, ids[4]!, { summary: 'moved' }, { sendUpdates: 'none' });
    expect((await syncCalendar(deps, calendarId)).mode).toBe('incremental');
    expect(await cachedIds()).toEqual(await serverIds());
    expect((await cache.getEvent(calendarId, ids[4]!))?.event.summary).toBe('moved');

    fake.expireSyncTokens(calendarId);
    await client.deleteEvent(calendarId, ids[5]!, { sendUpdates: 'none' });
    const report = await syncCalendar(deps, calendarId);
    expect(report.recoveredFromExpiredToken).toBe(true);
    expect(await cachedIds()).toEqual(await serverIds());
  });
});
