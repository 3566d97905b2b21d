/**
 * Calendar sync benchmark: a full sync of 10,000 events from the fake Google Calendar (real HTTP on
 * 127.0.0.1) into the encrypted vault (`vaultCalendarCache` over `openVault`, on fake-indexeddb in
 * Node), then 10 changes synced incrementally. Context, printed but not in the JSON: the same sync into
 * the in-memory reference cache. Baseline, same run: Google's own Node client (@googleapis/calendar)
 * merely listing the same 10,000 events, with no validation or cache.
 */
import 'fake-indexeddb/auto';
import { auth, calendar } from '@googleapis/calendar';
import {
  CalendarClient,
  MemoryCalendarCache,
  syncCalendar,
  systemClock,
  vaultCalendarCache,
  type CalendarCache,
} from '../src/calendar/index';
import { openVault } from '../src/vault/index';
import { startFakeGoogleCalendar } from '../tests/fakes/google-calendar/index';

const N = 10_000;
const DAY = 86_400_000;
const now = Date.now();
const fake = await startFakeGoogleCalendar();

/** Each run gets its own calendar with identical content, so one run's edits cannot leak into the other. */
function seedCalendar(calendarId: string): string[] {
  fake.store.addCalendar({ id: calendarId, timeZone: 'Europe/Paris' });
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const start = now - 20 * DAY + Math.floor((i * 300 * DAY) / N);
    ids.push(
      fake.store.seedEvent(calendarId, {
        summary: `event ${i}`,
        description: 'x'.repeat(80),
        start: { dateTime: new Date(start).toISOString(), timeZone: 'Europe/Paris' },
        end: { dateTime: new Date(start + 45 * 60_000).toISOString(), timeZone: 'Europe/Paris' },
        attendees: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
      }).id as string,
    );
  }
  return ids;
}

const tokens = { getToken: () => Promise.resolve('test'), refreshToken: () => Promise.resolve('test') };

interface Run {
  fullMs: number;
  incMs: number;
  incCalls: number;
  pages: number;
  upserted: number;
}

async function run(cache: CalendarCache, calendarId: string, ids: string[]): Promise<Run> {
  const client = new CalendarClient({ baseUrl: `${fake.url}/calendar/v3`, tokens, clock: systemClock });
  const deps = { client, cache, clock: systemClock };

  const t0 = performance.now();
  const full = await syncCalendar(deps, calendarId);
  const fullMs = performance.now() - t0;
  if ((await cache.listEvents(calendarId)).length !== N) throw new Error('full sync incomplete');

  for (let i = 0; i < 10; i++) {
    const id = ids[(i * 997) % N]!;
    if (i < 3) fake.store.delete(calendarId, id, {});
    else fake.store.patch(calendarId, id, { summary: `changed ${i}` });
  }
  const callsBefore = client.calls;
  const t1 = performance.now();
  const inc = await syncCalendar(deps, calendarId);
  const incMs = performance.now() - t1;
  const incCalls = client.calls - callsBefore;
  if (inc.upserted !== 7 || inc.removed !== 3)
    throw new Error(`incremental sync saw ${inc.upserted}/${inc.removed}`);
  if ((await cache.listEvents(calendarId)).length !== N - 3) throw new Error('deletions not applied');
  const patched = await cache.getEvent(calendarId, ids[(3 * 997) % N]!);
  if (patched?.event.summary !== 'changed 3') throw new Error('patch not applied');
  return { fullMs, incMs, incCalls, pages: full.pages, upserted: full.upserted };
}

const memoryCalendar = 'bench-memory@example.com';
const vaultCalendar = 'bench@example.com';
const memoryIds = seedCalendar(memoryCalendar);
const vaultIds = seedCalendar(vaultCalendar);

// Baseline first (warms the fake's code paths equally for both).
const oauth = new auth.OAuth2();
oauth.setCredentials({ access_token: 'test' });
const g = calendar({ version: 'v3', rootUrl: `${fake.url}/`, auth: oauth });
const b0 = performance.now();
let listed = 0;
let pageToken: string | undefined;
do {
  const res = await g.events.list({
    calendarId: vaultCalendar,
    singleEvents: true,
    maxResults: 2500,
    timeMin: new Date(now - 30 * DAY).toISOString(),
    timeMax: new Date(now + 365 * DAY).toISOString(),
    ...(pageToken && { pageToken }),
  });
  listed += res.data.items?.length ?? 0;
  pageToken = res.data.nextPageToken ?? undefined;
} while (pageToken);
const baselineMs = performance.now() - b0;
if (listed !== N) throw new Error('baseline listing incomplete');

const memory = await run(new MemoryCalendarCache(), memoryCalendar, memoryIds);

// The KDF cost only affects unlocking, which happens before the timed sync, so a weak count is fine here.
const vault = await openVault({
  name: `bench-calendar-${crypto.randomUUID()}`,
  kdf: { iterations: 1000, allowWeakIterationsForTests: true },
});
await vault.setUp('bench passphrase');
const measured = await run(vaultCalendarCache(vault), vaultCalendar, vaultIds);
await fake.close();

console.log(
  `context, in-memory cache (MemoryCalendarCache, not in the JSON): full sync ${memory.fullMs.toFixed(1)} ms ` +
    `(${memory.pages} pages, ${memory.upserted} events), incremental ${memory.incMs.toFixed(1)} ms in ` +
    `${memory.incCalls} calls`,
);
console.log(`baseline @googleapis/calendar list-only of ${N} events: ${baselineMs.toFixed(1)} ms`);
console.log(
  `measured: vault cache (vaultCalendarCache over openVault, fake-indexeddb in Node; PBKDF2 at 1,000 ` +
    `iterations, which only affects unlocking, not the timed sync); full sync: ${measured.pages} pages, ` +
    `${measured.upserted} events`,
);
console.log(
  JSON.stringify({
    suite: 'calendar',
    full_sync_10k_ms: Math.round(measured.fullMs),
    incremental_10_changes_ms: Math.round(measured.incMs * 10) / 10,
    incremental_calls: measured.incCalls,
  }),
);
