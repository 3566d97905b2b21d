/**
 * The measurements behind `bench:vault`, runnable anywhere the vault runs: Node with
 * fake-indexeddb (bench-node.ts) and, unchanged, inside the extension's service
 * worker in Chromium. Both sides of each comparison run in the same call.
 */
import { wrap, type IDBPDatabase } from 'idb';
import type { SqlJsStatic } from 'sql.js';
import { vaultCalendarCache, type CachedEvent } from '../calendar';
import type { CryptoDeps } from './aes-gcm';
import { openHistory, type HistoryEntry, type Scheduler } from './history';
import { openRecords } from './record-crypto';
import { MemorySessionKeyStore } from './session-keys';
import { VAULT_SCHEMA, type VaultRecordMap } from './schema';
import { openVault, vaultParts } from './vault';

export interface VaultBenchOptions {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
  readonly crypto?: CryptoDeps;
  readonly sqlJs?: SqlJsStatic;
  readonly locateFile?: (file: string) => string;
  readonly events?: number;
  readonly rounds?: number;
  readonly historyBytes?: number;
  readonly now?: () => number;
}

export interface VaultBenchResult {
  readonly put_10k_ms: number;
  readonly raw_put_10k_ms: number;
  readonly ratio: number;
  /** The calendar cache's `listEvents(calendar, week)`: day pages, directory in memory (DPG4). */
  readonly week_query_ms: number;
  readonly week_events: number;
  /** The same week through the vault's per-event `events` rows (one AES-GCM unit per event). */
  readonly record_week_query_ms: number;
  /** The same range query on the raw baseline, in the same run (the week query's yardstick). */
  readonly raw_week_query_ms: number;
  /**
   * Opening (checking the envelope, decrypting, decoding) the week's sealed day pages
   * already read into memory: the week query minus its IndexedDB read, in the same run.
   */
  readonly week_open_ms: number;
  /** Reading the week's 7 sealed pages from IndexedDB alone (no decryption), in the same run. */
  readonly week_pages_read_ms: number;
  readonly sqlite_persist_ms: number;
  readonly sqlite_bytes: number;
  readonly unlock_ms: number;
  readonly pbkdf2_iterations: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Rounds of a few milliseconds each: enough that a few slow ones (a busy machine) barely move a median. */
const WEEK_ROUNDS = 31;
const T0 = Date.UTC(2025, 0, 6);

function makeEvents(n: number): VaultRecordMap['events'][] {
  return Array.from({ length: n }, (_, i) => ({
    id: `evt${i.toString(36).padStart(6, '0')}`,
    calendarId: `cal${i % 4}`,
    start: T0 + i * HOUR,
    end: T0 + i * HOUR + HOUR / 2,
    updated: T0 - 1_000 + i,
    title: `Planning session ${i}`,
    description: 'Agenda: review the roadmap, staffing and the budget for next quarter.',
    location: 'Room 4B',
    attendees: [`person${i % 17}@example.com`, `person${i % 23}@example.com`],
    status: 'confirmed',
  }));
}

/** A bench event as the calendar cache holds it (Google's event inside, as a sync stores it). */
function cachedEvent(calendarId: string, e: VaultRecordMap['events']): CachedEvent {
  const start = { dateTime: new Date(e.start).toISOString() };
  const end = { dateTime: new Date(e.end).toISOString() };
  return {
    calendarId,
    id: e.id,
    status: 'confirmed',
    start,
    end,
    startMs: e.start,
    endMs: e.end,
    allDay: false,
    updated: new Date(e.updated).toISOString(),
    transparent: false,
    declined: false,
    origin: 'user',
    generation: 1,
    event: {
      id: e.id,
      status: 'confirmed',
      summary: e.title as string,
      description: e.description as string,
      location: e.location as string,
      attendees: (e.attendees as string[]).map((email) => ({ email })),
      start,
      end,
    } as CachedEvent['event'],
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number): number => Math.round(x * 10) / 10;

const idle: Scheduler = { setTimeout: () => 0, clearTimeout: () => undefined };

export async function runVaultBench(options: VaultBenchOptions): Promise<VaultBenchResult> {
  const now = options.now ?? (() => performance.now());
  const n = options.events ?? 10_000;
  const rounds = options.rounds ?? 3;
  const suffix = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const passphrase = 'bench passphrase, not a secret';
  const vault = await openVault({
    indexedDB: options.indexedDB,
    IDBKeyRange: options.IDBKeyRange,
    name: `parley-vault-bench-${suffix}`,
    sessionKeys: new MemorySessionKeyStore(),
    idleTimeoutMs: Infinity,
    ...(options.crypto ? { crypto: options.crypto } : {}),
  });
  await vault.setUp(passphrase);

  // The baseline: the same records, unencrypted, same indexes, same idb calls, one transaction.
  const rawName = `parley-vault-bench-raw-${suffix}`;
  const openReq = options.indexedDB.open(rawName, 1);
  openReq.addEventListener('upgradeneeded', () => {
    const store = openReq.result.createObjectStore('events', { keyPath: 'id' });
    for (const [name, index] of Object.entries(VAULT_SCHEMA.stores.events!.indexes)) {
      store.createIndex(name, index.keyPath as string);
    }
  });
  const raw = (await wrap(openReq)) as IDBPDatabase;

  const events = makeEvents(n);
  // Both sides overwrite the same 10k keys each round (the warm-up inserted them).
  const rawPut = async (): Promise<number> => {
    const t = now();
    const tx = raw.transaction('events', 'readwrite');
    await Promise.all([...events.map((e) => tx.store.put(e)), tx.done]);
    return now() - t;
  };
  const vaultPut = async (): Promise<number> => {
    const t = now();
    await vault.putMany('events', events);
    return now() - t;
  };
  // Warm both paths (JIT, key import, IDB connection) before timing.
  await vault.putMany('events', events);
  await rawPut();
  const vaultTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    rawTimes.push(await rawPut());
    vaultTimes.push(await vaultPut());
  }

  // The one-week range query: through the product's calendar cache (day pages, DPG4), through the
  // vault's per-event rows, and raw; and the opening of the week's sealed pages alone. After a warm-up
  // of each they take turns, each leading in turn, so all see the same machine: the IndexedDB backend
  // settling after the writes above, other load.
  const weekStart = T0 + 24 * 7 * HOUR * 10;
  const weekEnd = weekStart + 7 * 24 * HOUR;
  const calendarId = 'bench@example.com';
  const cache = vaultCalendarCache(vault);
  await cache.applyChanges(
    calendarId,
    events.map((e) => cachedEvent(calendarId, e)),
    [],
  );
  let weekEvents = 0;
  let recordWeekEvents = 0;
  const cacheWeek = async (): Promise<number> => {
    const t = now();
    const week = await cache.listEvents(calendarId, { fromMs: weekStart, toMs: weekEnd });
    weekEvents = week.length;
    return now() - t;
  };
  const recordWeek = async (): Promise<number> => {
    const t = now();
    const week = await vault.query('events', {
      index: 'start',
      range: { lower: weekStart, upper: weekEnd, upperOpen: true },
    });
    recordWeekEvents = week.length;
    return now() - t;
  };
  const rawWeek = async (): Promise<number> => {
    const t = now();
    await raw.getAllFromIndex('events', 'start', options.IDBKeyRange.bound(weekStart, weekEnd, false, true));
    return now() - t;
  };
  // The week's sealed pages as the cache reads them, to time opening them alone.
  const parts = vaultParts(vault);
  const sealedWeek: unknown[] = [];
  for (const key of await parts.ctx.database().getAllKeys('eventPages')) {
    // Page keys end in the day, offset by 10^8 (src/calendar/vault-cache.ts pageId).
    const day = Number(String(key).slice(-9)) - 100_000_000;
    if (day >= Math.floor(weekStart / DAY) && day < Math.floor(weekEnd / DAY)) {
      sealedWeek.push(await parts.ctx.database().get('eventPages', key));
    }
  }
  if (sealedWeek.length !== 7) throw new Error('bench: the week should span 7 day pages');
  const weekKey = (await parts.lock.require()).get(VAULT_SCHEMA.stores.eventPages!.category)!;
  const openWeek = async (): Promise<number> => {
    const t = now();
    const opened = await openRecords(parts.ctx.crypto, weekKey, 'eventPages', sealedWeek);
    if (!opened.every((o) => o.ok)) throw new Error('bench: a week page did not open');
    return now() - t;
  };
  // The same 7 pages read raw from the vault's database (no decryption): the IndexedDB part of the query.
  const firstKey = (sealedWeek[0] as { id: string }).id;
  const lastKey = (sealedWeek[sealedWeek.length - 1] as { id: string }).id;
  const pagesRead = async (): Promise<number> => {
    const t = now();
    await parts.ctx.database().getAll('eventPages', options.IDBKeyRange.bound(firstKey, lastKey));
    return now() - t;
  };
  await pagesRead();
  await cacheWeek();
  await recordWeek();
  await rawWeek();
  await openWeek();
  const weekTimes: number[] = [];
  const recordWeekTimes: number[] = [];
  const rawWeekTimes: number[] = [];
  const openTimes: number[] = [];
  const pagesReadTimes: number[] = [];
  const sides = [
    async () => pagesReadTimes.push(await pagesRead()),
    async () => weekTimes.push(await cacheWeek()),
    async () => rawWeekTimes.push(await rawWeek()),
    async () => recordWeekTimes.push(await recordWeek()),
    async () => openTimes.push(await openWeek()),
  ];
  for (let r = 0; r < WEEK_ROUNDS; r++) {
    // Each side leads in turn.
    for (let i = 0; i < sides.length; i++) await sides[(r + i) % sides.length]!();
  }
  if (weekEvents !== recordWeekEvents) throw new Error('bench: the cache and the vault read different weeks');

  const history = await openHistory(vault, {
    scheduler: idle,
    ...(options.sqlJs ? { sqlJs: options.sqlJs } : {}),
    ...(options.locateFile ? { locateFile: options.locateFile } : {}),
  });
  const target = options.historyBytes ?? 10 * 1024 * 1024;
  const words = [
    'meet',
    'lunch',
    'thursday',
    'roadmap',
    'budget',
    'dana',
    'eli',
    'slot',
    'confirm',
    'agenda',
  ];
  let id = 0;
  let sqliteBytes = 0;
  while (sqliteBytes < target) {
    const batch: HistoryEntry[] = [];
    for (let i = 0; i < 2_000; i++, id++) {
      let text = '';
      for (let w = 0; w < 60; w++) text += `${words[(id * 7 + w * 13) % words.length]}${(id + w) % 997} `;
      batch.push({ id: `h${id}`, conversationId: `c${id % 50}`, at: T0 + id * 1_000, author: 'a', text });
    }
    history.add(batch);
    sqliteBytes = history.sizeBytes();
  }
  const tPersist = now();
  await history.flush();
  const sqlitePersist = now() - tPersist;
  await history.close();

  await vault.lock();
  const tUnlock = now();
  await vault.unlock(passphrase);
  const unlock = now() - tUnlock;

  const put = median(vaultTimes);
  const rawMs = median(rawTimes);
  await vault.deleteAllData();
  vault.close();
  raw.close();
  await wrap(options.indexedDB.deleteDatabase(rawName));
  return {
    put_10k_ms: round(put),
    raw_put_10k_ms: round(rawMs),
    ratio: Math.round((put / rawMs) * 100) / 100,
    week_query_ms: round(median(weekTimes)),
    week_events: weekEvents,
    record_week_query_ms: round(median(recordWeekTimes)),
    raw_week_query_ms: round(median(rawWeekTimes)),
    week_open_ms: round(median(openTimes)),
    week_pages_read_ms: round(median(pagesReadTimes)),
    sqlite_persist_ms: round(sqlitePersist),
    sqlite_bytes: sqliteBytes,
    unlock_ms: round(unlock),
    pbkdf2_iterations: vaultParts(vault).ctx.kdf.iterations,
  };
}
