import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from '../fakes/google-calendar';
import {
  approveUntilBooked,
  calendarEvents,
  configure,
  connectCalendar,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  openConnectedPanel,
  pairPanels,
  removeProfileDir,
  rpc,
  setInput,
  setWorkingHours,
  waitFor,
  type AgentBrowser,
} from './harness';

/**
 * Meetings with someone who doesn't use Parley, and the controls for what the action layer already did: Ana
 * offers Dana (no Parley) three times, downloads them as an .ics and opens the e-mail draft, marks Dana's
 * answer and finds the meeting in her (fake) Google Calendar; Ben answers Ana's request with a time of his
 * own from his side panel; Ben sets a rule for Ana on her contact. Two real browsers, one relay.
 */
const names = ['Ana', 'Ben'] as const;
type Name = (typeof names)[number];
const DAY = 86_400_000;
let relay: Relay;
const fakes = {} as Record<Name, FakeGoogleCalendar>;
const agents = {} as Record<Name, AgentBrowser>;
const panels = {} as Record<Name, Page>;
const profiles = { Ana: makeProfileDir('nop-ana'), Ben: makeProfileDir('nop-ben') };
const downloads = mkdtempSync(path.join(tmpdir(), 'parley-nop-downloads-'));
const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

beforeAll(async () => {
  ensureBuilt();
  relay = createRelay();
  const { url } = await relay.listen(0);
  for (const name of names) fakes[name] = await startFakeGoogleCalendar({ port: 0 });
  for (const name of names) {
    agents[name] = await launchAgent(profiles[name]);
    await configure(agents[name], url, name);
    await connectCalendar(agents[name], fakes[name].url);
    // Every day 09–17 UTC: the test's times do not depend on the weekday or the machine's zone.
    await setWorkingHours(agents[name], {
      timeZone: 'UTC',
      dayStart: '09:00',
      dayEnd: '17:00',
      workingDays: EVERY_DAY,
    });
    panels[name] = await openConnectedPanel(agents[name]);
    await panels[name].setViewport({ width: 420, height: 1400 });
  }
  await pairPanels(panels.Ana, panels.Ben, 'Ana');
});

afterAll(async () => {
  await Promise.allSettled(names.map((n) => agents[n]?.close()));
  await Promise.allSettled(names.map((n) => fakes[n]?.close()));
  await relay?.close();
  Object.values(profiles).forEach(removeProfileDir);
  rmSync(downloads, { recursive: true, force: true });
});

describe('people without Parley', () => {
  it("[NOP1][NOP2][NOP3][NOP4][NOP5] Ana offers Dana three times, gets the .ics and the e-mail draft, marks her choice: it is booked in Ana's calendar", async () => {
    const panel = panels.Ana;
    await panel.waitForSelector('[data-testid=offer-form]');
    await setInput(panel, 'input[name=offer-name]', 'Dana');
    await setInput(panel, 'input[name=offer-email]', 'dana@example.com');
    await setInput(panel, 'input[name=offer-title]', 'Roof repair');
    await panel.select('select[name=offer-part]', 'morning');
    await panel.click('[data-testid=offer-submit]');
    const offer = '[data-testid=offer][data-name=Dana]';
    await panel.waitForSelector(`${offer}[data-status=pending]`, { timeout: 15_000 });
    const starts = await panel.$$eval(`${offer} [data-testid=offer-slot]`, (items) =>
      items.map((li) => Number(li.getAttribute('data-start'))),
    );
    expect(starts).toHaveLength(3);
    for (const start of starts) {
      // Mornings in Ana's zone (UTC), inside her hours.
      expect(new Date(start).getUTCHours()).toBeGreaterThanOrEqual(9);
      expect(new Date(start + 30 * 60_000 - 1).getUTCHours()).toBeLessThan(12);
    }

    // The .ics download: what a calendar app opens, parsed back with ical.js.
    const cdp = await panel.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await panel.click(`${offer} [data-testid=offer-ics]`);
    await waitFor(() => readdirSync(downloads).some((f) => f.endsWith('.ics')), 15_000, 'the .ics download');
    const file = readdirSync(downloads).find((f) => f.endsWith('.ics'))!;
    expect(file).toBe('Roof-repair-proposed-times.ics');
    const calendar = new ICAL.Component(ICAL.parse(readFileSync(path.join(downloads, file), 'utf8')));
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    const events = calendar.getAllSubcomponents('vevent');
    expect(events.map((v) => new ICAL.Event(v).startDate.toJSDate().getTime())).toEqual(starts);
    expect(events.map((v) => v.getFirstPropertyValue('status'))).toEqual([
      'TENTATIVE',
      'TENTATIVE',
      'TENTATIVE',
    ]);

    // The e-mail draft: to Dana, the three times in the browser's language, one per line.
    const href = await panel.$eval(`${offer} [data-testid=offer-mail]`, (a) => a.getAttribute('href') ?? '');
    expect(href.startsWith('mailto:dana@example.com?subject=')).toBe(true);
    const body = decodeURIComponent(href.slice(href.indexOf('&body=') + '&body='.length)).split('\r\n');
    expect(body[0]).toBe('Hello Dana,');
    expect(body.filter((l) => /^[123]\. /.test(l))).toHaveLength(3);
    expect(decodeURIComponent(href.slice(href.indexOf('subject=') + 8, href.indexOf('&body=')))).toBe(
      'Roof repair: which time suits you?',
    );

    // Dana answered "the second one": Ana marks it, and it is booked in her Google Calendar.
    const buttons = await panel.$$(`${offer} [data-testid=offer-choose]`);
    await buttons[1]!.click();
    await panel.waitForSelector(`${offer}[data-status=booked]`, { timeout: 15_000 });
    await expect
      .poll(() => calendarEvents(fakes.Ana.url, 'Roof repair (with Dana)').then((l) => l.length))
      .toBe(1);
    const [event] = await calendarEvents(fakes.Ana.url, 'Roof repair (with Dana)');
    expect(Date.parse(event!.start.dateTime!)).toBe(starts[1]);
    expect(Date.parse(event!.end.dateTime!) - starts[1]!).toBe(30 * 60_000);
    // Nothing reached Ben: it is Ana's own meeting.
    expect(await calendarEvents(fakes.Ben.url)).toHaveLength(0);
    // Marked once: the answer buttons are gone.
    expect(await panel.$(`${offer} [data-testid=offer-choose]`)).toBeNull();
  });

  it("[CRL1] Ben answers Ana's request with a time of his own from his side panel; it reaches Ana with his note", async () => {
    const panel = panels.Ana;
    const box = await panel.waitForSelector('[data-testid=find-time-contact][data-name=Ben]', {
      timeout: 15_000,
    });
    await box!.click();
    await setInput(panel, 'input[name=title]', 'Budget talk');
    await panel.click('[data-testid=find-time-submit]');

    // Ben's agent asks him before sharing; instead he proposes tomorrow at 14:00 (his zone: UTC).
    const ben = panels.Ben;
    const approval = '[data-testid=approval][data-title="Budget talk"]';
    await ben.waitForSelector(`${approval} [data-testid=counter-open]`, { timeout: 30_000 });
    await ben.click(`${approval} [data-testid=counter-open]`);
    const tomorrow = new Date(Date.now() + DAY);
    const day = tomorrow.toISOString().slice(0, 10);
    const at = Date.parse(`${day}T14:00:00Z`);
    // A date input takes the ISO date whatever the locale shows; set it as the page's own input event would.
    await ben.$eval(
      `${approval} [data-testid=counter-day]`,
      (el, v) => {
        (el as HTMLInputElement).value = v;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      },
      day,
    );
    await ben.$eval(`${approval} [data-testid=counter-start]`, (el) => {
      (el as HTMLInputElement).value = '14:00';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await setInput(ben, `${approval} [data-testid=counter-note]`, 'Thursday afternoon suits me better');
    await ben.click(`${approval} [data-testid=counter-send]`);

    // Ana's meeting shows Ben's note; the meeting is booked at Ben's time in both calendars.
    await panel.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=negotiation]')].some(
          (n) =>
            n.textContent?.includes('Budget talk') &&
            n
              .querySelector('[data-testid=negotiation-note]')
              ?.textContent?.includes('Thursday afternoon suits me better'),
        ),
      { timeout: 30_000 },
    );
    await approveUntilBooked(panels, ['Ana', 'Ben'], 'Budget talk');
    await expect.poll(() => calendarEvents(fakes.Ana.url, 'Budget talk').then((l) => l.length)).toBe(1);
    const [event] = await calendarEvents(fakes.Ana.url, 'Budget talk');
    expect(Date.parse(event!.start.dateTime!)).toBe(at);
  });

  it('[CRL2] Ben sets "share without asking" for Ana on her contact; "accept without asking" waits for verification', async () => {
    const panel = panels.Ben;
    await panel.waitForSelector('[data-testid=contact]');
    await panel.click('[data-testid=contact]');
    await panel.click('[data-testid=contact-controls] summary');
    await panel.waitForSelector('[data-testid=contact-rules] [data-testid=rule-share]');
    expect(await panel.$eval('[data-testid=rule-accept]', (el) => (el as HTMLInputElement).disabled)).toBe(
      true,
    );
    expect(await panel.$eval('[data-testid=rule-share]', (el) => (el as HTMLInputElement).checked)).toBe(
      false,
    );
    await panel.click('[data-testid=rule-share]');
    await panel.click('[data-testid=rule-save]');
    await panel.waitForSelector('[data-testid=rule-saved]');
    const contacts = (await rpc(panel, 'contacts.list', {})).output as { agentId: string; name: string }[];
    const ana = contacts.find((c) => c.name === 'Ana')!;
    expect((await rpc(panel, 'negotiations.contactRule', { contactId: ana.agentId })).output).toEqual({
      contactId: ana.agentId,
      shareWithoutAsking: true,
      acceptWithoutAsking: false,
      verified: false,
    });
    // Reopened, the controls show the saved rule.
    await panel.reload();
    await panel.waitForSelector('[data-testid=contact]');
    await panel.click('[data-testid=contact]');
    await panel.click('[data-testid=contact-controls] summary');
    await panel.waitForFunction(
      () => (document.querySelector('[data-testid=rule-share]') as HTMLInputElement | null)?.checked === true,
    );
  });
});
