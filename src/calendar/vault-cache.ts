import { base64urlnopad } from '@scure/base';
import { z } from 'zod';
import { createLogger, errorFields } from '../log';
import { isVaultError, Mutex, type Vault, type VaultRecordMap, type VaultTx } from '../vault';
import type {
  CachedEvent,
  CalendarCache,
  ConflictDecision,
  ConflictRecord,
  LocalWrite,
  SyncState,
} from './cache';
import { CalendarError } from './errors';

const log = createLogger('calendar').child('cache');

const DAY = 86_400_000;
/** The UTC day an instant falls on: the page an event starting then belongs to (DPG1). */
export const utcDay = (ms: number): number => Math.floor(ms / DAY);

/**
 * A page's key: the calendar key and the day, offset and zero-padded so that keys sort by day (every
 * day a JavaScript date can fall on, before 1970 too) and a range of days is a range of keys.
 */
export const pageId = (calKey: string, day: number): string =>
  `${calKey}:${String(day + 100_000_000).padStart(9, '0')}`;

/** What the directory knows of one page without opening it. */
interface PageInfo {
  readonly count: number;
  /** The latest end of the page's events: a range read skips a page that ends before it (DPG3). */
  readonly lastEnd: number;
}

/** A calendar's summary (page → count, latest end) and index (event id → day), in memory while unlocked. */
interface Directory {
  readonly pages: Map<number, PageInfo>;
  readonly index: Map<string, number>;
}

/** A page or directory that does not add up: the calendar is dropped for a full resync (DPG7). */
class PageDamage extends Error {
  /**
   * `definite`: a record failed its integrity check (the vault quarantined it) or broke the format;
   * otherwise a directory and pages that disagree, which a write committing meanwhile can also cause.
   */
  constructor(
    readonly reason: string,
    readonly definite = false,
  ) {
    super(`calendar cache page damaged: ${reason}`);
    this.name = 'PageDamage';
  }
}

const DIRECTORY_FORMAT = 1;
const DirectoryRecord = z.object({
  format: z.literal(DIRECTORY_FORMAT),
  pages: z.array(z.tuple([z.number().int(), z.number().int().positive(), z.number()])),
  index: z.array(z.tuple([z.string(), z.number().int()])),
});

const emptyDirectory = (): Directory => ({ pages: new Map(), index: new Map() });

function parseDirectory(record: unknown): Directory {
  const parsed = DirectoryRecord.safeParse(record);
  if (!parsed.success) throw new PageDamage('directory_invalid', true);
  const pages = new Map(parsed.data.pages.map(([day, count, lastEnd]) => [day, { count, lastEnd }]));
  const index = new Map(parsed.data.index);
  const counts = new Map<number, number>();
  for (const day of index.values()) counts.set(day, (counts.get(day) ?? 0) + 1);
  const consistent =
    index.size === parsed.data.index.length &&
    pages.size === parsed.data.pages.length &&
    counts.size === pages.size &&
    [...pages].every(([day, info]) => counts.get(day) === info.count);
  if (!consistent) throw new PageDamage('directory_inconsistent', true);
  return { pages, index };
}

function isEvent(value: unknown): value is CachedEvent {
  if (value === null || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    typeof e.calendarId === 'string' &&
    typeof e.startMs === 'number' &&
    typeof e.endMs === 'number'
  );
}

/** What the vault keeps per vault object: every cache instance on it shares the directories. */
interface Shared {
  readonly directories: Map<string, Directory>;
  /** Bumped by every write and invalidation: a directory read from disk meanwhile is not kept. */
  epoch: number;
  /** Serialises the cache's writes (read–modify–write of pages and directory). */
  readonly writes: Mutex;
}

const sharedOf = new WeakMap<object, Shared>();

function sharedFor(vault: Vault): Shared {
  let shared = sharedOf.get(vault);
  if (shared) return shared;
  const s: Shared = { directories: new Map(), epoch: 0, writes: new Mutex() };
  // [DPG5] Lock, unlock, a backup import or "delete all data" (reset), and a quarantined page or
  // directory: what is in memory may no longer be what is on disk.
  vault.subscribe((event) => {
    if (event.type === 'quarantined' && event.store !== 'eventPages' && event.store !== 'syncState') return;
    s.directories.clear();
    s.epoch++;
  });
  sharedOf.set(vault, s);
  shared = s;
  return shared;
}

/**
 * The calendar cache on the encrypted vault. On disk, a calendar's events are sealed in day pages
 * (docs/protocol/calendar.md DPG1–DPG8): one record per calendar key and UTC start day in `eventPages`,
 * whose clear fields are an opaque page key, the calendar key and the day, all bound into the AES-GCM
 * additional data with the store; titles, attendees and descriptions are inside. Calendar ids (often
 * e-mail addresses) and event ids are never in clear: a calendar is known by a SHA-256 digest scoped to
 * Parley (unkeyed: someone who already knows a calendar id can confirm it is there, but cannot read it
 * off the disk), event ids only inside sealed pages and the sealed per-calendar directory.
 *
 * The directory (pages with their event count and latest end; event id → day) is read once per unlock
 * and kept in memory, so a week's query is one IndexedDB read of the pages it overlaps and one
 * decryption per page.
 */
export function vaultCalendarCache(
  vault: Vault,
): CalendarCache & { countEvents(calendarId: string): Promise<number> } {
  const shared = sharedFor(vault);
  const directoryId = (calKey: string) => `pages:${calKey}`;
  const stateId = (calKey: string) => `state:${calKey}`;
  const legacySpanId = (calKey: string) => `span:${calKey}`;
  const allPages = (calKey: string) => ({ range: { lower: `${calKey}:`, upper: `${calKey}:\uffff` } });
  const legacyRows = (calKey: string) => ({ index: 'calendarId', range: { only: calKey } });

  /** A directory from memory, or from disk (moving per-event rows into pages first: DPG6). */
  async function directory(calendarId: string, calKey: string, locked: boolean): Promise<Directory> {
    const known = shared.directories.get(calendarId);
    if (known) return known;
    const epoch = shared.epoch;
    let record: unknown;
    try {
      record = await vault.get('syncState', directoryId(calKey));
    } catch (e) {
      if (isVaultError(e, 'corrupt_record')) throw new PageDamage('directory_corrupt', true);
      throw e;
    }
    let dir: Directory;
    if (record !== undefined) dir = parseDirectory(record);
    else if ((await vault.count('eventPages', allPages(calKey))) > 0) {
      // Pages without a directory: they cannot be read safely, so they must not read as "no events".
      throw new PageDamage('directory_missing');
    } else if ((await vault.count('events', legacyRows(calKey))) > 0) {
      return locked
        ? migrateLocked(calendarId, calKey)
        : shared.writes.run(() => migrateLocked(calendarId, calKey));
    } else dir = emptyDirectory();
    if (shared.epoch === epoch) shared.directories.set(calendarId, dir);
    return dir;
  }

  /** [DPG6] Today's per-event rows of one calendar become pages, in one transaction. */
  async function migrateLocked(calendarId: string, calKey: string): Promise<Directory> {
    const known = shared.directories.get(calendarId);
    if (known) return known;
    shared.epoch++;
    try {
      const rowKeys = await vault.keys('events', legacyRows(calKey));
      const dir = await vault.transaction(['events', 'eventPages', 'syncState'], async (tx) => {
        const existing = await tx.get('syncState', directoryId(calKey));
        if (existing) return parseDirectory(existing);
        const rows = await tx.query('events', legacyRows(calKey));
        // A row that failed its check was quarantined and left out: its event would read as free time.
        if (rows.length !== rowKeys.length) throw new PageDamage('legacy_row_corrupt', true);
        const events = rows.map((r) => r.event);
        if (!events.every((e) => isEvent(e) && e.calendarId === calendarId)) {
          throw new PageDamage('legacy_row_invalid', true);
        }
        const next = emptyDirectory();
        writePages(tx, calKey, next, new Map(), events as CachedEvent[]);
        rows.forEach((r) => tx.delete('events', r.id));
        tx.delete('syncState', legacySpanId(calKey));
        tx.put('syncState', directoryRecord(calKey, next));
        return next;
      });
      log.info('pages_migrated', { events: dir.index.size, pages: dir.pages.size });
      shared.directories.set(calendarId, dir);
      return dir;
    } finally {
      shared.epoch++;
    }
  }

  function directoryRecord(calKey: string, dir: Directory) {
    return {
      id: directoryId(calKey),
      format: DIRECTORY_FORMAT,
      pages: [...dir.pages].map(([day, p]) => [day, p.count, p.lastEnd]),
      index: [...dir.index],
    };
  }

  /**
   * Adds `events` to the pages (`pages` holds the current events of every day touched), updating `dir`
   * in place, and stages every touched page: written, or deleted once empty.
   */
  function writePages(
    tx: VaultTx<VaultRecordMap>,
    calKey: string,
    dir: Directory,
    pages: Map<number, Map<string, CachedEvent>>,
    events: readonly CachedEvent[],
  ): void {
    for (const event of events) {
      const day = utcDay(event.startMs);
      let page = pages.get(day);
      if (!page) pages.set(day, (page = new Map()));
      page.set(event.id, event);
    }
    for (const [day, page] of pages) {
      if (page.size === 0) {
        tx.delete('eventPages', pageId(calKey, day));
        dir.pages.delete(day);
        continue;
      }
      let lastEnd = -Infinity;
      for (const e of page.values()) {
        if (e.endMs > lastEnd) lastEnd = e.endMs;
        dir.index.set(e.id, day);
      }
      dir.pages.set(day, { count: page.size, lastEnd });
      tx.put('eventPages', { id: pageId(calKey, day), calendarId: calKey, day, events: [...page.values()] });
    }
  }

  /** [DPG2] A page's events, each checked to lie in the page's calendar and day and in the directory. */
  function pageEvents(calendarId: string, calKey: string, dir: Directory, record: unknown): CachedEvent[] {
    const r = record as { id?: unknown; calendarId?: unknown; day?: unknown; events?: unknown };
    const day = typeof r.day === 'number' ? r.day : NaN;
    if (r.calendarId !== calKey || r.id !== pageId(calKey, day)) throw new PageDamage('page_misplaced', true);
    const info = dir.pages.get(day);
    const events = r.events;
    if (!Array.isArray(events)) throw new PageDamage('page_invalid', true);
    // Against the directory: a write committing between the two reads can cause these too.
    if (!info || events.length !== info.count) throw new PageDamage('page_count');
    for (const e of events as unknown[]) {
      if (!isEvent(e) || e.calendarId !== calendarId || utcDay(e.startMs) !== day) {
        throw new PageDamage('event_misplaced', true);
      }
      if (dir.index.get(e.id) !== day) throw new PageDamage('index_mismatch');
    }
    return events as CachedEvent[];
  }

  /** Every event on the pages from day `lo` to `hi`: one IndexedDB read, one decryption per page. */
  async function readPages(
    calendarId: string,
    calKey: string,
    dir: Directory,
    lo: number,
    hi: number,
  ): Promise<CachedEvent[]> {
    // A page that fails its check is quarantined and left out by the vault: the count tells.
    // On the primary key: page keys sort by day (pageId), so no index lookup per page.
    const records = await vault.query('eventPages', {
      range: { lower: pageId(calKey, lo), upper: pageId(calKey, hi) },
    });
    let expected = 0;
    for (const day of dir.pages.keys()) if (day >= lo && day <= hi) expected++;
    if (records.length !== expected) throw new PageDamage('page_missing');
    const out: CachedEvent[] = [];
    for (const record of records) for (const e of pageEvents(calendarId, calKey, dir, record)) out.push(e);
    return out;
  }

  async function readPage(calendarId: string, calKey: string, dir: Directory, day: number) {
    let record: unknown;
    try {
      record = await vault.get('eventPages', pageId(calKey, day));
    } catch (e) {
      if (isVaultError(e, 'corrupt_record')) throw new PageDamage('page_corrupt', true);
      throw e;
    }
    if (record === undefined) throw new PageDamage('page_missing');
    return pageEvents(calendarId, calKey, dir, record);
  }

  /**
   * [DPG7] Drops a damaged calendar: its pages, directory and any per-event rows go, and its sync state
   * forgets the sync token and ETag (a full resync follows) and says `cache_damaged`, so the calendar is
   * known nowhere (CAL3) until that resync, never free. Runs under the cache's write lock.
   */
  async function dropLocked(calendarId: string, calKey: string, reason: string): Promise<CalendarError> {
    log.warn('calendar_dropped', { reason });
    shared.epoch++;
    try {
      const pageKeys = await vault.keys('eventPages', allPages(calKey));
      const rowKeys = await vault.keys('events', legacyRows(calKey));
      let state: SyncState | undefined;
      try {
        state = (await vault.get('syncState', stateId(calKey)))?.state as SyncState | undefined;
      } catch (e) {
        if (!isVaultError(e, 'corrupt_record')) throw e;
        // The state itself was damaged (and quarantined): with none, the calendar syncs from scratch.
        log.warn('sync_state_damaged', errorFields(e));
      }
      await vault.transaction(['eventPages', 'events', 'syncState'], (tx) => {
        pageKeys.forEach((k) => tx.delete('eventPages', k));
        rowKeys.forEach((k) => tx.delete('events', k));
        tx.delete('syncState', directoryId(calKey));
        tx.delete('syncState', legacySpanId(calKey));
        if (state) {
          const { syncToken: _t, etag: _e, fullSync: _f, ...rest } = state;
          tx.put('syncState', {
            id: stateId(calKey),
            state: { ...rest, health: 'degraded', lastErrorCode: 'cache_damaged' } satisfies SyncState,
          });
        } else tx.delete('syncState', stateId(calKey));
      });
      shared.directories.set(calendarId, emptyDirectory());
    } finally {
      shared.epoch++;
    }
    return new CalendarError(
      'cache_damaged',
      'A page of the calendar cache failed its integrity check; the calendar was dropped for a full resync.',
    );
  }

  /**
   * Runs a read against the directory. A mismatch may only be a write that committed between reading
   * the directory and the pages, so it is looked at once more with the cache's writes held off and the
   * directory read from disk; a mismatch then is damage (DPG7).
   */
  async function read<T>(calendarId: string, fn: (dir: Directory, calKey: string) => Promise<T>): Promise<T> {
    const calKey = await digest('cal', calendarId);
    try {
      return await fn(await directory(calendarId, calKey, false), calKey);
    } catch (first) {
      if (!(first instanceof PageDamage)) throw first;
      return shared.writes.run(async () => {
        if (first.definite) throw await dropLocked(calendarId, calKey, first.reason);
        shared.directories.delete(calendarId);
        shared.epoch++;
        try {
          return await fn(await directory(calendarId, calKey, true), calKey);
        } catch (again) {
          if (!(again instanceof PageDamage)) throw again;
          throw await dropLocked(calendarId, calKey, again.reason);
        }
      });
    }
  }

  async function eventsOf(calendarId: string): Promise<CachedEvent[]> {
    return read(calendarId, async (dir, calKey) => {
      if (dir.pages.size === 0) return [];
      const days = [...dir.pages.keys()];
      return readPages(calendarId, calKey, dir, Math.min(...days), Math.max(...days));
    });
  }

  async function listPrefixed<T>(prefix: string, field: string): Promise<T[]> {
    const records = await vault.query('syncState', { range: { lower: prefix, upper: `${prefix}\uffff` } });
    return records.map((r) => r[field] as T);
  }

  const byStart = (a: CachedEvent, b: CachedEvent) => a.startMs - b.startMs || (a.id < b.id ? -1 : 1);

  return {
    async countEvents(calendarId) {
      return read(calendarId, async (dir) => dir.index.size);
    },
    async getSyncState(calendarId) {
      const record = await vault.get('syncState', stateId(await digest('cal', calendarId)));
      return record?.state as SyncState | undefined;
    },
    async putSyncState(state) {
      await vault.put('syncState', { id: stateId(await digest('cal', state.calendarId)), state });
    },

    async applyChanges(calendarId, upserts, removals, state) {
      for (const e of upserts) {
        if (e.calendarId !== calendarId) {
          throw new CalendarError(
            'invalid_input',
            'An event was written to a calendar it does not belong to.',
          );
        }
      }
      const calKey = await digest('cal', calendarId);
      await shared.writes.run(async () => {
        const attempt = async () => {
          const dir = await directory(calendarId, calKey, true);
          const next: Directory = { pages: new Map(dir.pages), index: new Map(dir.index) };
          const latest = new Map(upserts.map((e) => [e.id, e]));
          const leaving = new Set([...removals, ...latest.keys()]);
          const days = new Set<number>();
          for (const id of leaving) {
            const day = dir.index.get(id);
            if (day !== undefined) days.add(day);
          }
          for (const e of latest.values()) days.add(utcDay(e.startMs));
          shared.epoch++;
          await vault.transaction(['eventPages', 'syncState'], async (tx) => {
            const pages = new Map<number, Map<string, CachedEvent>>();
            await Promise.all(
              [...days].map(async (day) => {
                const current = dir.pages.has(day) ? await readPage(calendarId, calKey, dir, day) : [];
                pages.set(day, new Map(current.map((e) => [e.id, e])));
              }),
            );
            for (const id of leaving) {
              const day = next.index.get(id);
              if (day === undefined) continue;
              pages.get(day)!.delete(id);
              next.index.delete(id);
            }
            writePages(tx, calKey, next, pages, [...latest.values()]);
            tx.put('syncState', directoryRecord(calKey, next));
            if (state) tx.put('syncState', { id: stateId(calKey), state });
          });
          shared.directories.set(calendarId, next);
          shared.epoch++;
        };
        try {
          await attempt();
        } catch (e) {
          shared.directories.delete(calendarId);
          shared.epoch++;
          if (!(e instanceof PageDamage)) throw e;
          if (e.definite) throw await dropLocked(calendarId, calKey, e.reason);
          // Looked at again from disk before the calendar is given up (as `read` does).
          try {
            await attempt();
          } catch (again) {
            shared.directories.delete(calendarId);
            shared.epoch++;
            if (!(again instanceof PageDamage)) throw again;
            throw await dropLocked(calendarId, calKey, again.reason);
          }
        }
      });
    },

    async getEvent(calendarId, eventId) {
      return read(calendarId, async (dir, calKey) => {
        const day = dir.index.get(eventId);
        if (day === undefined) return undefined;
        return (await readPage(calendarId, calKey, dir, day)).find((e) => e.id === eventId);
      });
    },

    async listEvents(calendarId, range) {
      if (!range) return (await eventsOf(calendarId)).sort(byStart);
      return read(calendarId, async (dir, calKey) => {
        // [DPG3] Only pages whose day starts before the range ends and whose latest event ends after it
        // starts can hold an overlapping event; one contiguous read spans them.
        let lo = Infinity;
        let hi = -Infinity;
        for (const [day, info] of dir.pages) {
          if (day * DAY < range.toMs && info.lastEnd > range.fromMs) {
            if (day < lo) lo = day;
            if (day > hi) hi = day;
          }
        }
        if (lo > hi) return [];
        const events = await readPages(calendarId, calKey, dir, lo, hi);
        return events.filter((e) => e.endMs > range.fromMs && e.startMs < range.toMs).sort(byStart);
      });
    },

    async staleEventIds(calendarId, generation) {
      return (await eventsOf(calendarId)).filter((e) => e.generation !== generation).map((e) => e.id);
    },

    async instanceIds(calendarId, recurringEventId) {
      return (await eventsOf(calendarId))
        .filter((e) => e.recurringEventId === recurringEventId)
        .map((e) => e.id);
    },

    async clearCalendar(calendarId) {
      const calKey = await digest('cal', calendarId);
      await shared.writes.run(async () => {
        shared.epoch++;
        try {
          const pageKeys = await vault.keys('eventPages', allPages(calKey));
          const rowKeys = await vault.keys('events', legacyRows(calKey));
          await vault.transaction(['eventPages', 'events', 'syncState'], (tx) => {
            pageKeys.forEach((k) => tx.delete('eventPages', k));
            rowKeys.forEach((k) => tx.delete('events', k));
            tx.delete('syncState', stateId(calKey));
            tx.delete('syncState', directoryId(calKey));
            tx.delete('syncState', legacySpanId(calKey));
          });
          shared.directories.set(calendarId, emptyDirectory());
        } catch (e) {
          shared.directories.delete(calendarId);
          throw e;
        } finally {
          shared.epoch++;
        }
      });
    },

    async getLocalWrite(key) {
      return (await vault.get('syncState', `write:${await digest('w', key)}`))?.write as
        LocalWrite | undefined;
    },
    async putLocalWrite(write) {
      await vault.put('syncState', { id: `write:${await digest('w', write.key)}`, write });
    },
    async deleteLocalWrite(key) {
      await vault.delete('syncState', `write:${await digest('w', key)}`);
    },
    listLocalWrites: () => listPrefixed<LocalWrite>('write:', 'write'),

    async putConflict(conflict) {
      await vault.put('syncState', { id: `conflict:${await digest('c', conflict.key)}`, conflict });
    },
    async deleteConflict(key) {
      await vault.delete('syncState', `conflict:${await digest('c', key)}`);
    },
    listConflicts: () => listPrefixed<ConflictRecord>('conflict:', 'conflict'),
    async getDecision(key) {
      return (await vault.get('syncState', `decision:${await digest('d', key)}`))?.decision as
        ConflictDecision | undefined;
    },
    async putDecision(decision) {
      await vault.put('syncState', { id: `decision:${await digest('d', decision.key)}`, decision });
    },
  };
}

const encoder = new TextEncoder();
const cache = new Map<string, string>();

/** An opaque, stable key for an identifier that must not be readable on disk. */
async function digest(scope: string, value: string): Promise<string> {
  const input = `parley/calendar/${scope}\u0000${value}`;
  const known = cache.get(input);
  if (known) return known;
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(input)));
  const key = base64urlnopad.encode(bytes.subarray(0, 16));
  if (cache.size > 50_000) cache.clear();
  cache.set(input, key);
  return key;
}
