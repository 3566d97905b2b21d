import 'fake-indexeddb/auto';
import { base64urlnopad } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportBackup, importBackup, isVaultError, openVault, type Vault } from '../vault';
import { MemoryCalendarCache, type CachedEvent, type CalendarCache } from './cache';
import { isCalendarError } from './errors';
import { pageId, vaultCalendarCache } from './vault-cache';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const CAL = 'dana@example.com';
const OTHER = 'eli@example.com';
const KDF = { iterations: 1000, allowWeakIterationsForTests: true } as const;

/** WebCrypto with its decryptions counted: how many sealed units a query opened. */
function countingCrypto() {
  const counter = { decrypts: 0 };
  const subtle = new Proxy(crypto.subtle, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'decrypt') {
        return (...args: Parameters<SubtleCrypto['decrypt']>) => {
          counter.decrypts++;
          return target.decrypt(...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    counter,
    crypto: {
      subtle,
      getRandomValues: <T extends ArrayBufferView>(a: T) => crypto.getRandomValues(a),
    },
  };
}

async function fresh(): Promise<{ vault: Vault; name: string; counter: { decrypts: number } }> {
  const name = `pages-${crypto.randomUUID()}`;
  const { crypto: observed, counter } = countingCrypto();
  const vault = await openVault({ name, kdf: KDF, crypto: observed as Crypto });
  await vault.setUp('test passphrase');
  return { vault, name, counter };
}

function event(calendarId: string, id: string, startMs: number, lenMs: number, extra = {}): CachedEvent {
  const endMs = startMs + lenMs;
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
    generation: 1,
    event: { id, status: 'confirmed', summary: `secret title ${id}` } as CachedEvent['event'],
    ...extra,
  };
}

/** The calendar key as the cache derives it (docs/protocol/calendar.md VCC2). */
async function calKeyOf(calendarId: string): Promise<string> {
  const input = new TextEncoder().encode(`parley/calendar/cal\u0000${calendarId}`);
  return base64urlnopad.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', input)).subarray(0, 16));
}

/** Raw access to what IndexedDB holds (the disk), bypassing the vault. */
async function rawDb<T>(name: string, stores: string[], fn: (tx: IDBTransaction) => T): Promise<T> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => resolve(open.result);
  });
  try {
    const tx = db.transaction(stores, 'readwrite');
    const out = fn(tx);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    return out;
  } finally {
    db.close();
  }
}

async function rawAll(name: string, store: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  await rawDb(name, [store], (tx) => {
    const req = tx.objectStore(store).getAll();
    req.onsuccess = () => out.push(...(req.result as Record<string, unknown>[]));
  });
  return out;
}

/** The keys of a calendar's pages on disk, in key order. */
async function pagesOf(name: string, key: string): Promise<string[]> {
  return (await rawAll(name, 'eventPages'))
    .map((p) => p.id as string)
    .filter((id) => id.startsWith(`${key}:`));
}

const ids = (events: CachedEvent[]) => events.map((e) => e.id);

describe('calendar cache day pages', () => {
  it('[DPG1] stores one sealed page per calendar and UTC start day, nothing readable in clear, and reads back what went in', async () => {
    const { vault, name } = await fresh();
    const cache = vaultCalendarCache(vault);
    const events = [
      event(CAL, 'a', T0 + 9 * HOUR, HOUR),
      event(CAL, 'b', T0 + 23 * HOUR + 30 * 60_000, HOUR), // crosses midnight: on its start day's page
      event(CAL, 'c', T0 + DAY + 10 * HOUR, HOUR),
      event(OTHER, 'a', T0 + 9 * HOUR, HOUR),
    ];
    await cache.applyChanges(CAL, events.slice(0, 3), []);
    await cache.applyChanges(OTHER, events.slice(3), []);
    expect(await cache.listEvents(CAL)).toEqual(events.slice(0, 3));
    expect(await cache.listEvents(OTHER)).toEqual(events.slice(3));
    expect(await cache.getEvent(CAL, 'b')).toEqual(events[1]);
    expect(await cache.countEvents(CAL)).toBe(3);

    const pages = await rawAll(name, 'eventPages');
    const key = await calKeyOf(CAL);
    const day = Math.floor(T0 / DAY);
    expect(pages.map((p) => p.id).sort()).toEqual(
      [pageId(key, day), pageId(key, day + 1), pageId(await calKeyOf(OTHER), day)].sort(),
    );
    // Keys sort by day, before 1970 too: a range of days is a range of keys.
    expect([pageId(key, 3), pageId(key, -1), pageId(key, 20000), pageId(key, 0)].sort()).toEqual([
      pageId(key, -1),
      pageId(key, 0),
      pageId(key, 3),
      pageId(key, 20000),
    ]);
    for (const p of pages) expect(Object.keys(p).sort()).toEqual(['ciphertext', 'id', 'iv', 'v']);
    const text = JSON.stringify([pages, await rawAll(name, 'syncState')], (_k, v: unknown) =>
      v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? '<bytes>' : v,
    );
    expect(text).not.toContain('dana@example.com');
    expect(text).not.toContain('secret title');
    expect(text).not.toContain('"b"');

    // Removing the last event of a day removes its page; moving an event moves it between pages.
    await cache.applyChanges(CAL, [event(CAL, 'a', T0 + DAY + 12 * HOUR, HOUR)], ['c']);
    expect(ids(await cache.listEvents(CAL))).toEqual(['b', 'a']);
    expect(await pagesOf(name, key)).toEqual([pageId(key, day), pageId(key, day + 1)]);
    await cache.applyChanges(CAL, [], ['b']);
    expect(await pagesOf(name, key)).toEqual([pageId(key, day + 1)]);
  });

  it('[DPG3] answers ranges across page boundaries and with events spanning days like the reference', async () => {
    const spec = fc.record({
      events: fc.array(
        fc.record({
          id: fc.constantFrom('e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'),
          startMin: fc.integer({ min: 0, max: 20 * 24 * 60 }),
          // Up to 12 days: the long ones start pages before the range they overlap.
          lenMin: fc.oneof(fc.integer({ min: 1, max: 180 }), fc.integer({ min: 1, max: 12 * 24 * 60 })),
        }),
        { maxLength: 20 },
      ),
      removals: fc.array(fc.constantFrom('e1', 'e2', 'e3'), { maxLength: 3 }),
      fromMin: fc.integer({ min: -2 * 24 * 60, max: 22 * 24 * 60 }),
      lenMin: fc.integer({ min: 0, max: 9 * 24 * 60 }),
    });
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const { vault } = await fresh();
        const subject = vaultCalendarCache(vault);
        const reference = new MemoryCalendarCache();
        const upserts = s.events.map((e) => event(CAL, e.id, T0 + e.startMin * 60_000, e.lenMin * 60_000));
        for (const cache of [reference, subject] as CalendarCache[]) {
          await cache.applyChanges(CAL, upserts, []);
          await cache.applyChanges(CAL, [], s.removals);
        }
        const range = { fromMs: T0 + s.fromMin * 60_000, toMs: T0 + (s.fromMin + s.lenMin) * 60_000 };
        expect(await subject.listEvents(CAL, range)).toEqual(await reference.listEvents(CAL, range));
        // A midnight boundary exactly: an event ending at 00:00 is not in the next day.
        const midnight = { fromMs: T0 + 3 * DAY, toMs: T0 + 4 * DAY };
        expect(await subject.listEvents(CAL, midnight)).toEqual(await reference.listEvents(CAL, midnight));
      }),
      { numRuns: 60, seed: 20261202 },
    );
  });

  it('[DPG4] a week query, once the directory is in memory, opens only the pages it overlaps (plus one for a long event)', async () => {
    const { vault, counter } = await fresh();
    const cache = vaultCalendarCache(vault);
    const events: CachedEvent[] = [];
    for (let h = 0; h < 40 * 24; h++) events.push(event(CAL, `h${h}`, T0 + h * HOUR, HOUR / 2));
    await cache.applyChanges(CAL, events, []);
    const week = { fromMs: T0 + 14 * DAY, toMs: T0 + 21 * DAY };
    await cache.listEvents(CAL, week);
    counter.decrypts = 0;
    expect((await cache.listEvents(CAL, week)).length).toBe(7 * 24);
    expect(counter.decrypts).toBe(7);
    // A three-day event that started two days before the week: its page (and the one between) is read.
    await cache.applyChanges(CAL, [event(CAL, 'long', T0 + 12 * DAY + 20 * HOUR, 3 * DAY)], []);
    counter.decrypts = 0;
    const withLong = await cache.listEvents(CAL, week);
    expect(withLong.length).toBe(7 * 24 + 1);
    expect(withLong[0]!.id).toBe('long');
    expect(counter.decrypts).toBe(9);
  });

  it('[DPG5] forgets the directory on lock, and after a backup import reads what was imported, not what it remembered', async () => {
    const { vault, counter } = await fresh();
    const cache = vaultCalendarCache(vault);
    const weekA = { fromMs: T0, toMs: T0 + 7 * DAY };
    const weekB = { fromMs: T0 + 7 * DAY, toMs: T0 + 14 * DAY };
    await cache.applyChanges(
      CAL,
      [event(CAL, 'a', T0 + HOUR, HOUR), event(CAL, 'b', T0 + 8 * DAY, HOUR)],
      [],
    );
    const backup = await exportBackup(vault, 'backup passphrase');
    await cache.applyChanges(CAL, [], ['b']);
    expect(ids(await cache.listEvents(CAL, weekB))).toEqual([]);
    counter.decrypts = 0;
    expect(ids(await cache.listEvents(CAL, weekB))).toEqual([]);
    expect(counter.decrypts).toBe(0); // known from memory: nothing there, nothing read

    await importBackup(vault, backup, 'backup passphrase', { mode: 'replace' });
    expect(ids(await cache.listEvents(CAL, weekB))).toEqual(['b']);

    await vault.lock();
    await expect(cache.listEvents(CAL, weekA)).rejects.toSatisfy((e) => isVaultError(e, 'locked'));
    await vault.unlock('test passphrase');
    counter.decrypts = 0;
    expect(ids(await cache.listEvents(CAL, weekA))).toEqual(['a']);
    expect(counter.decrypts).toBe(2); // the directory again, then the page
  });

  it('[DPG6] moves per-event rows of the format before pages into pages on first use, atomically', async () => {
    const { vault, name } = await fresh();
    const key = await calKeyOf(CAL);
    const old = [event(CAL, 'x', T0 + HOUR, 2 * DAY), event(CAL, 'y', T0 + 3 * DAY, HOUR)];
    // Written exactly as the cache did before day pages.
    for (const [i, e] of old.entries()) {
      await vault.put('events', {
        id: `row${i}`,
        calendarId: key,
        start: e.startMs,
        end: e.endMs,
        updated: T0,
        event: e,
      });
    }
    await vault.put('syncState', { id: `span:${key}`, maxSpanMs: 2 * DAY });
    const cache = vaultCalendarCache(vault);
    expect(await cache.listEvents(CAL, { fromMs: T0 + DAY, toMs: T0 + 2 * DAY })).toEqual([old[0]]);
    expect(await cache.listEvents(CAL)).toEqual(old);
    expect(await vault.count('events')).toBe(0);
    expect(await vault.get('syncState', `span:${key}`)).toBeUndefined();
    expect(await pagesOf(name, key)).toEqual([
      pageId(key, Math.floor(T0 / DAY)),
      pageId(key, Math.floor(T0 / DAY) + 3),
    ]);
    // A second cache on the same vault (a restarted worker) reads the pages, not the rows.
    expect(await vaultCalendarCache(vault).listEvents(CAL)).toEqual(old);

    // A row that no longer opens: the calendar is dropped for a resync, not shown without it.
    const { vault: v2, name: n2 } = await fresh();
    for (const [i, e] of old.entries()) {
      await v2.put('events', {
        id: `row${i}`,
        calendarId: key,
        start: e.startMs,
        end: e.endMs,
        updated: T0,
        event: e,
      });
    }
    await rawDb(n2, ['events'], (tx) => {
      const store = tx.objectStore('events');
      const req = store.get('row1');
      req.onsuccess = () => {
        const r = req.result as { ciphertext: ArrayBuffer };
        new Uint8Array(r.ciphertext)[0]! ^= 1;
        store.put(r);
      };
    });
    await expect(vaultCalendarCache(v2).listEvents(CAL)).rejects.toSatisfy((e) =>
      isCalendarError(e, 'cache_damaged'),
    );
    expect(await v2.count('events')).toBe(0);
    expect(await vaultCalendarCache(v2).listEvents(CAL)).toEqual([]);
  });
});

describe('a damaged page', () => {
  async function synced() {
    const { vault, name } = await fresh();
    const cache = vaultCalendarCache(vault);
    const state = {
      calendarId: CAL,
      syncToken: 'token-1',
      etag: '"v1"',
      window: {
        timeMin: new Date(T0 - 30 * DAY).toISOString(),
        timeMax: new Date(T0 + 365 * DAY).toISOString(),
      },
      timeZone: 'UTC',
      generation: 1,
      lastSyncedAt: T0,
      health: 'ok' as const,
    };
    await cache.applyChanges(
      CAL,
      [event(CAL, 'mon', T0 + 9 * HOUR, HOUR), event(CAL, 'tue', T0 + DAY + 9 * HOUR, HOUR)],
      [],
      state,
    );
    await cache.applyChanges(OTHER, [event(OTHER, 'o', T0 + 2 * DAY + 9 * HOUR, HOUR)], []);
    return {
      vault,
      name,
      cache,
      key: await calKeyOf(CAL),
      otherKey: await calKeyOf(OTHER),
      day: Math.floor(T0 / DAY),
    };
  }

  async function expectDropped(cache: ReturnType<typeof vaultCalendarCache>, read: () => Promise<unknown>) {
    await expect(read()).rejects.toSatisfy((e) => isCalendarError(e, 'cache_damaged'));
    const state = await cache.getSyncState(CAL);
    // Known nowhere until a full resync (no token, no ETag): never free time.
    expect(state).toMatchObject({ health: 'degraded', lastErrorCode: 'cache_damaged' });
    expect(state?.syncToken).toBeUndefined();
    expect(state?.etag).toBeUndefined();
    expect(await cache.listEvents(CAL)).toEqual([]);
    // The other calendar is untouched.
    expect(ids(await cache.listEvents(OTHER))).toEqual(['o']);
  }

  it('[DPG2][DPG7] moved to another day of its calendar fails its check, and the calendar is dropped for a full resync', async () => {
    const { name, cache, key, day } = await synced();
    await rawDb(name, ['eventPages'], (tx) => {
      const store = tx.objectStore('eventPages');
      const req = store.get(pageId(key, day + 1));
      req.onsuccess = () => {
        store.delete(pageId(key, day + 1));
        store.put({ ...(req.result as object), id: pageId(key, day + 5) });
      };
    });
    await expectDropped(cache, () => cache.listEvents(CAL, { fromMs: T0, toMs: T0 + 7 * DAY }));
  });

  it('[DPG2] a page sealed with an event of another day or calendar in it is refused, whatever its tag says', async () => {
    for (const wrong of [{ startMs: T0 + 9 * HOUR }, { calendarId: OTHER }]) {
      const { vault, cache, key, day } = await synced();
      // Written through the vault, so it opens: only the check of each event against its page can catch it.
      await vault.put('eventPages', {
        id: pageId(key, day + 1),
        calendarId: key,
        day: day + 1,
        events: [{ ...event(CAL, 'tue', T0 + DAY + 9 * HOUR, HOUR), ...wrong }],
      });
      await expectDropped(cache, () => cache.getEvent(CAL, 'tue'));
    }
  });

  it('[DPG2][DPG7] copied over another calendar\u2019s page fails its check there', async () => {
    const { name, cache, key, otherKey, day } = await synced();
    // The other calendar's page for day+2 is replaced by this calendar's page for day, relabelled.
    await rawDb(name, ['eventPages'], (tx) => {
      const store = tx.objectStore('eventPages');
      const req = store.get(pageId(otherKey, day + 2));
      req.onsuccess = () => {
        const mine = store.get(pageId(key, day));
        mine.onsuccess = () => store.put({ ...(mine.result as object), id: pageId(otherKey, day + 2) });
      };
    });
    await expect(cache.listEvents(OTHER)).rejects.toSatisfy((e) => isCalendarError(e, 'cache_damaged'));
    expect(await cache.listEvents(OTHER)).toEqual([]);
    expect(ids(await cache.listEvents(CAL))).toEqual(['mon', 'tue']);
  });

  it('[DPG7] a page gone from disk, or one whose bytes changed, drops the calendar on read and on write', async () => {
    const a = await synced();
    await rawDb(a.name, ['eventPages'], (tx) => tx.objectStore('eventPages').delete(pageId(a.key, a.day)));
    await expectDropped(a.cache, () => a.cache.listEvents(CAL, { fromMs: T0, toMs: T0 + DAY }));

    const b = await synced();
    await rawDb(b.name, ['eventPages'], (tx) => {
      const store = tx.objectStore('eventPages');
      const req = store.get(pageId(b.key, b.day + 1));
      req.onsuccess = () => {
        const r = req.result as { ciphertext: ArrayBuffer };
        new Uint8Array(r.ciphertext)[3]! ^= 0x40;
        store.put(r);
      };
    });
    // A sync writing into the damaged day finds it: the write fails and the calendar is dropped.
    await expectDropped(b.cache, () =>
      b.cache.applyChanges(CAL, [event(CAL, 'wed', T0 + DAY + 15 * HOUR, HOUR)], []),
    );
    expect((await b.vault.listQuarantine()).map((q) => q.store)).toEqual(['eventPages']);
  });
});
