import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from '../../tests/fakes/google-calendar';
import { openVault } from '../vault';
import { GoogleOAuth } from './oauth';
import { CalendarService, type CalendarChoice, type CalendarOverview } from './service';
import { vaultCalendarCache } from './vault-cache';

/** The calendar service as the agent runs it: the fake over real HTTP, the vault cache, a stored token. */
let fake: FakeGoogleCalendar;
beforeAll(async () => {
  fake = await startFakeGoogleCalendar({});
});
afterAll(() => fake.close());

async function service(onChange: () => void) {
  const vault = await openVault({
    name: `svc-${crypto.randomUUID()}`,
    kdf: { iterations: 1000, allowWeakIterationsForTests: true },
  });
  await vault.setUp('test passphrase');
  let choices: CalendarChoice[] | undefined;
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
    cache: vaultCalendarCache(vault),
    apiBaseUrl: () => `${fake.url}/calendar/v3`,
    loadChoices: async () => choices,
    saveChoices: async (c) => void (choices = c),
    onChange,
  });
  return { svc, choose: (c: CalendarChoice[]) => (choices = c) };
}

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
