import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
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

/** A small calendar of three events in the coming days, as a calendar app exports it. */
function icsFile(name: string): string {
  const at = (h: number) =>
    new Date(Math.ceil(Date.now() / HOUR) * HOUR + h * HOUR).toISOString().replace(/[-:]|\.000/g, '');
  const event = (uid: string, h: number) => [
    `BEGIN:VEVENT`,
    `UID:${uid}`,
    `DTSTART:${at(h)}`,
    `DTEND:${at(h + 1)}`,
    `SUMMARY:${uid}`,
    'END:VEVENT',
  ];
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Parley//e2e//EN',
    `X-WR-CALNAME:${name}`,
    ...event('a', 24),
    ...event('b', 48),
    ...event('c', 72),
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

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

describe('calendars without Google', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('[ICS5] imports an .ics file from the options page; it is listed as an imported calendar with its events', async () => {
    const options = await agent.open('options');
    const input = (await options.waitForSelector(
      '[data-testid=ics-file]',
    )) as ElementHandle<HTMLInputElement>;
    const file = path.join(profile, 'family.ics');
    writeFileSync(file, icsFile('Family'));
    await input.uploadFile(file);
    await options.waitForFunction(
      () =>
        document
          .querySelector('[data-testid=calendars] li[data-source=file]')
          ?.textContent?.includes('3 events'),
      { timeout: 15_000 },
    );
    expect(
      await options.$eval('[data-testid=calendars] li[data-source=file]', (li) => li.textContent),
    ).toContain('Family');
    // A file that is not a calendar: a clear error, nothing added.
    writeFileSync(file, '<html>Sign in</html>');
    await input.uploadFile(file);
    await options.waitForSelector('[data-testid=error][data-code=calendar_file_rejected]');
    expect(await options.$$('[data-testid=calendars] li[data-source=file]')).toHaveLength(1);
    await options.close();
  });

  it('[ICS8] subscribes to a secret address (asking for its origin) and lists it without showing the address', async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/calendar', etag: '"1"' });
      res.end(icsFile('Work (Outlook)'));
    });
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
    const secret = `http://127.0.0.1:${(server.address() as AddressInfo).port}/owa/calendar/s3cr3t/calendar.ics`;
    const options = await agent.open('options');
    await options.waitForSelector('[data-testid=ics-subscribe] input[name=icsUrl]');
    await options.type('[data-testid=ics-subscribe] input[name=icsUrl]', secret);
    await options.click('[data-testid=ics-subscribe] button[type=submit]');
    await options.waitForFunction(
      () =>
        document
          .querySelector('[data-testid=calendars] li[data-source=url]')
          ?.textContent?.includes('3 events'),
      { timeout: 15_000 },
    );
    expect(
      await options.$eval('[data-testid=calendars] li[data-source=url]', (li) => li.textContent),
    ).toContain('Work (Outlook)');
    expect(await options.evaluate(() => document.body.innerHTML)).not.toContain('s3cr3t');
    await options.close();
  });
});
