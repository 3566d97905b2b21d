import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from '../fakes/google-calendar';
import {
  connectCalendar,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  removeProfileDir,
  type AgentBrowser,
} from './harness';

/**
 * The built extension in a real Chromium, connected to the fake Google Calendar
 * (a real HTTP server speaking Calendar v3 and OAuth): sign-in through
 * `identity.launchWebAuthFlow`, a full sync into the vault, the count and
 * freshness in the popup, and an incremental sync on demand.
 */
let fake: FakeGoogleCalendar;
let agent: AgentBrowser;
const profile = makeProfileDir('calendar');
const HOUR = 3_600_000;

beforeAll(async () => {
  ensureBuilt();
  fake = await startFakeGoogleCalendar({ port: 0 });
  const primary = fake.store.calendar('primary').id;
  const now = Date.now();
  for (let i = 0; i < 25; i++) {
    fake.store.seedEvent(primary, {
      summary: `Standup ${i}`,
      start: { dateTime: new Date(now + (i * 24 + 9) * HOUR).toISOString() },
      end: { dateTime: new Date(now + (i * 24 + 9.5) * HOUR).toISOString() },
    });
  }
  agent = await launchAgent(profile);
});

afterAll(async () => {
  await agent?.close();
  await fake?.close();
  removeProfileDir(profile);
});

const popupText = async (selector: string) => {
  const popup = await agent.open('popup');
  await popup.waitForSelector(selector);
  const text = await popup.$eval(selector, (el) => el.textContent);
  await popup.close();
  return text;
};

describe('Google Calendar in the extension', () => {
  let options: Page;

  it('[CAL1] connects through OAuth against the fake, syncs, and shows the count and freshness', async () => {
    await connectCalendar(agent, fake.url);
    options = await agent.open('options');
    await options.waitForSelector('[data-testid=calendars] input[type=checkbox]');

    expect(await popupText('[data-testid=calendar-events]')).toBe('25');
    expect(await popupText('[data-testid=calendar-freshness]')).toBe('synced just now');
    // The listing went to the fake, with the token its OAuth endpoint issued (any other is a 401).
    expect(fake.requests.some((r) => r.path.endsWith('/events'))).toBe(true);
  });

  it('[CAL2] syncs a change made elsewhere incrementally, on demand', async () => {
    const primary = fake.store.calendar('primary').id;
    fake.store.seedEvent(primary, {
      summary: 'Added on the phone',
      start: { dateTime: new Date(Date.now() + 3 * HOUR).toISOString() },
      end: { dateTime: new Date(Date.now() + 4 * HOUR).toISOString() },
    });
    const before = fake.requests.length;
    await options.click('[data-testid=calendar-sync]');
    await options.waitForFunction(() => document.body.textContent?.includes('26 events'));
    const listings = fake.requests.slice(before).filter((r) => r.path.endsWith('/events'));
    expect(listings).toHaveLength(1);
    expect(listings[0]!.query.syncToken).toBeTruthy();
    expect(await popupText('[data-testid=calendar-events]')).toBe('26');
  });
});
