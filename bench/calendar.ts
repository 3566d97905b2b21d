/**
 * Calendar sync benchmark: a full sync of 10,000 events from the fake Google Calendar (real HTTP on
 * 127.0.0.1) into the cache, then 10 changes synced incrementally. The cache is the in-memory
 * reference implementation (the vault-backed one does not exist yet). Baseline, same run: Google's own
 * Node client (@googleapis/calendar) merely listing the same 10,000 events, with no validation or cache.
 */
import { auth, calendar } from '@googleapis/calendar';
import { CalendarClient, MemoryCalendarCache, syncCalendar, systemClock } from '../src/calendar/index';
import { startFakeGoogleCalendar } from '../tests/fakes/google-calendar/index';

const N = 10_000;
const DAY = 86_400_000;
const now = Date.now();
const fake = await startFakeGoogleCalendar();
const calendarId = 'bench@example.com';
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

const tokens = { getToken: () => Promise.resolve('test'), refreshToken: () => Promise.resolve('test') };
const client = new CalendarClient({ baseUrl: `${fake.url}/calendar/v3`, tokens, clock: systemClock });
const cache = new MemoryCalendarCache();
const deps = { client, cache, clock: systemClock };

// Baseline first (warms the fake's code paths equally for both).
const oauth = new auth.OAuth2();
oauth.setCredentials({ access_token: 'test' });
const g = calendar({ version: 'v3', rootUrl: `${fake.url}/`, auth: oauth });
const b0 = performance.now();
let listed = 0;
let pageToken: string | undefined;
do {
  const res = await g.events.list({
    calendarId,
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

const t0 = performance.now();
const full = await syncCalendar(deps, calendarId);
const fullMs = performance.now() - t0;
if ((await cache.listEvents(calendarId)).length !== N || listed !== N)
  throw new Error('full sync incomplete');

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
await fake.close();

console.log(
  `cache: in-memory (MemoryCalendarCache); full sync: ${full.pages} pages, ${full.upserted} events`,
);
console.log(`baseline @googleapis/calendar list-only of ${N} events: ${baselineMs.toFixed(1)} ms`);
console.log(
  JSON.stringify({
    suite: 'calendar',
    full_sync_10k_ms: Math.round(fullMs),
    incremental_10_changes_ms: Math.round(incMs * 10) / 10,
    incremental_calls: incCalls,
  }),
);
