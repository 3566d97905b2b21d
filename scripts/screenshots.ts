/**
 * `npm run screenshots`: the README's pictures of every surface (docs/protocol/surfaces.md SHOT1–SHOT2), made
 * from the real built extension in a real Chromium — nothing drawn by hand, nothing mocked.
 *
 * Starts a relay (the embedded in-memory one, in this process) and a fake Google Calendar per person (seeded
 * with the demo's day, scripts/demo/calendars.ts), and drives three Chromium profiles: a fresh one for the
 * first run, and Ana (London) and Ben (New York), set up through the extension's own pages and paired with
 * an invite. Ana asks her agent for 30 minutes with Ben tomorrow afternoon, both approve until it is
 * booked; on the way it writes docs/screenshots/*.png (the list is `SHOTS` below): onboarding, popup
 * with a pending approval, side panel home (chat, approvals, the told negotiation, the activity log),
 * palette, settings, the Google Calendar layer on a replica page (request interception of
 * https://calendar.google.com/*), the invite card with its QR code, and the side panel in dark mode.
 *
 * Builds the extension first unless PARLEY_SKIP_BUILD=1. Stops everything it started, also on failure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { createRelay } from '../relay/server';
import {
  OWNER_EMAIL,
  startFakeGoogleCalendar,
  type FakeGoogleCalendar,
} from '../tests/fakes/google-calendar';
import {
  CHROME_EXTENSION,
  CHROMIUM,
  QUIET_FLAGS,
  ROOT,
  approveUntilBooked,
  calendarEvents,
  configure,
  connectCalendar,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  openConnectedPanel,
  removeProfileDir,
  setInput,
  setWorkingHours,
  waitFor,
  type AgentBrowser,
} from '../tests/e2e/harness';
import { EVERY_DAY, PEOPLE, demoCalendars, googleEvent, tomorrowIn } from './demo/calendars';

/** Every picture this script writes, in docs/screenshots/; the README shows each (tests/unit/screenshots.test.ts). */
export const SHOTS = [
  'onboarding',
  'popup',
  'sidepanel-approval',
  'sidepanel-home',
  'sidepanel-activity',
  'sidepanel-dark',
  'invite',
  'palette',
  'settings',
  'google-calendar',
] as const;
type Shot = (typeof SHOTS)[number];

const OUT = path.join(ROOT, 'docs/screenshots');
const NAMES = ['Ana', 'Ben'] as const;
type Name = (typeof NAMES)[number];
const COMMAND = 'find 30 minutes with Ben tomorrow afternoon';
const TITLE = 'Meeting with Ben';
const SECOND = 'find 45 minutes with Ben next week';
const PANEL = { width: 420, height: 860 };

const cleanups: (() => Promise<unknown> | unknown)[] = [];
const written: string[] = [];

async function save(shot: Shot, target: Page | ElementHandle): Promise<void> {
  const file = path.join(OUT, `${shot}.png`);
  // Nothing focused: a focus ring in a picture only looks like a glitch.
  const blur = () => (document.activeElement as HTMLElement | null)?.blur?.();
  if ('bringToFront' in target) await target.evaluate(blur);
  else await target.evaluate(blur);
  writeFileSync(file, await target.screenshot({ type: 'png' }));
  written.push(path.relative(ROOT, file));
  console.log(`wrote ${path.relative(ROOT, file)}`);
}

/** The popup at the first run: a fresh profile, nothing set up (the harness would answer the form). */
async function firstRun(): Promise<void> {
  const dir = makeProfileDir('shots-fresh');
  cleanups.push(() => removeProfileDir(dir));
  const browser: Browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    userDataDir: dir,
    enableExtensions: [CHROME_EXTENSION],
    args: [...QUIET_FLAGS],
  });
  cleanups.push(() => browser.close());
  const target = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    { timeout: 30_000 },
  );
  const page = await browser.newPage();
  await page.setViewport({ width: 340, height: 640 });
  await page.goto(`chrome-extension://${new URL(target.url()).host}/popup.html`);
  await page.waitForSelector('[data-testid=setup-form]', { timeout: 30_000 });
  await save('onboarding', page);
  await browser.close();
}

/** A replica of Google Calendar's week view: a grid of event chips with `data-eventid`, as Google renders them. */
function replica(
  events: { eventId: string; title: string; day: number; top: number; height: number }[],
): string {
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'];
  const chips = events
    .map(
      (e) =>
        `<div class="chip" role="button" data-eventid="${btoa(`${e.eventId} ${OWNER_EMAIL}`).replace(/=+$/, '')}" style="left:calc(${e.day} * 20% + 4px);top:${e.top}px;height:${e.height}px"></div>`,
    )
    .join('');
  const titles = JSON.stringify(events.map((e) => e.title));
  return `<!doctype html><html><head><meta charset="utf-8"><title>Google Calendar</title><style>
body { margin: 0; font: 13px system-ui, sans-serif; color: #3c4043; background: #fff; }
header { height: 56px; display: flex; align-items: center; padding: 0 24px; border-bottom: 1px solid #dadce0; font-size: 20px; }
.days { display: grid; grid-template-columns: repeat(5, 1fr); margin-left: 56px; border-bottom: 1px solid #dadce0; }
.days div { padding: 8px; text-align: center; color: #70757a; }
#grid { position: relative; margin-left: 56px; height: 560px;
  background: repeating-linear-gradient(#fff 0 47px, #e8eaed 47px 48px); }
.chip { position: absolute; width: calc(20% - 8px); box-sizing: border-box; border-radius: 6px; padding: 4px 6px;
  background: #039be5; color: #fff; font-size: 12px; overflow: hidden; }
</style></head><body>
<header>Calendar · Week</header>
<div class="days">${days.map((d) => `<div>${d}</div>`).join('')}</div>
<div role="main" id="grid">${chips}</div>
<script>
  // Titles as text (the page's own script, as Google's would).
  const titles = ${titles};
  document.querySelectorAll('.chip').forEach((chip, i) => { chip.textContent = titles[i]; });
</script></body></html>`;
}

async function calendarLayer(agent: AgentBrowser, booked: string): Promise<void> {
  const page = await agent.browser.newPage();
  await page.setViewport({ width: 1000, height: 660 });
  const html = replica([
    { eventId: 'standup0001', title: 'Team stand-up', day: 0, top: 48, height: 40 },
    { eventId: 'review00001', title: 'Design review', day: 1, top: 144, height: 88 },
    { eventId: booked, title: TITLE, day: 2, top: 240, height: 44 },
    { eventId: 'lunch000001', title: 'Lunch with Sam', day: 3, top: 192, height: 60 },
    { eventId: 'planning001', title: 'Quarter planning', day: 4, top: 96, height: 120 },
  ]);
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.url().startsWith('https://calendar.google.com/'))
      void request.respond({ status: 200, contentType: 'text/html', body: html });
    else void request.abort();
  });
  await page.goto('https://calendar.google.com/calendar/u/0/r/week');
  await page.waitForFunction(() => document.documentElement.dataset.parley === 'present', {
    timeout: 20_000,
  });
  // The marker on the event Parley booked (GCL3): inside its own shadow root.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-eventid]')].some((chip) =>
        [...chip.querySelectorAll('*')].some((el) => el.shadowRoot),
      ),
    { timeout: 20_000 },
  );
  // The layer's panel, opened: what waits for Ben, with Approve and Decline.
  await page.waitForFunction(
    () => !!document.querySelector('parley-layer')?.shadowRoot?.querySelector('[data-testid=layer-approval]'),
    { timeout: 20_000 },
  );
  await page.evaluate(() => {
    const toggle = document
      .querySelector('parley-layer')!
      .shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=layer-toggle]')!;
    if (toggle.getAttribute('aria-expanded') !== 'true') toggle.click();
  });
  await page.waitForFunction(
    () =>
      document
        .querySelector('parley-layer')
        ?.shadowRoot?.querySelector('[data-testid=layer-toggle]')
        ?.getAttribute('aria-expanded') === 'true',
    { timeout: 10_000 },
  );
  await save('google-calendar', page);
  await page.close();
}

async function main(): Promise<void> {
  ensureBuilt();
  mkdirSync(OUT, { recursive: true });
  await firstRun();

  const relay = createRelay();
  cleanups.push(() => relay.close());
  const { url: relayUrl } = await relay.listen(0);
  const date = tomorrowIn(PEOPLE.Ana.timeZone, Date.now());
  const seeds = demoCalendars(date);
  const fakes = {} as Record<Name, FakeGoogleCalendar>;
  const agents = {} as Record<Name, AgentBrowser>;
  const panels = {} as Record<Name, Page>;
  for (const name of NAMES) {
    const person = PEOPLE[name];
    const fake = await startFakeGoogleCalendar({ port: 0 });
    cleanups.push(() => fake.close());
    fake.store.addCalendar({
      id: OWNER_EMAIL,
      summary: person.fullName,
      timeZone: person.timeZone,
      primary: true,
    });
    for (const event of seeds[name]) fake.store.seedEvent('primary', googleEvent(event, person.timeZone));
    fakes[name] = fake;
    const dir = makeProfileDir(`shots-${name.toLowerCase()}`);
    cleanups.push(() => removeProfileDir(dir));
    const agent = await launchAgent(dir, undefined, { env: { ...process.env, TZ: person.timeZone } });
    cleanups.push(() => agent.close());
    agents[name] = agent;
    await configure(agent, relayUrl, name);
    await connectCalendar(agent, fake.url);
    await setWorkingHours(agent, {
      timeZone: person.timeZone,
      dayStart: person.dayStart,
      dayEnd: person.dayEnd,
      workingDays: EVERY_DAY,
    });
    panels[name] = await openConnectedPanel(agent);
    await panels[name].setViewport(PANEL);
  }

  // Settings, grouped for people (A11Y7).
  const options = await agents.Ana.open('options');
  await options.setViewport({ width: 820, height: 900 });
  await options.waitForSelector('[data-testid=preferences]');
  await save('settings', options);
  await options.close();

  // The invite card: code, Copy, link and QR code (INV1); Ben accepts it.
  const ana = panels.Ana;
  await ana.click('[data-testid=create-invite]');
  await ana.waitForSelector('[data-testid=invite-card][data-state=open]');
  // Its QR code is folded under a summary: unfold it as a person would.
  await ana.$eval('[data-testid=invite-card]', (card) =>
    card.querySelectorAll('details').forEach((d) => (d.open = true)),
  );
  await ana.waitForSelector('[data-testid=invite-qr]', { visible: true });
  await save('invite', (await ana.$('[data-testid=invite-card]'))!);
  const code = await ana.$eval('[data-testid=invite-code]', (el) => (el as HTMLTextAreaElement).value);
  await setInput(panels.Ben, '[data-testid=invite-input]', code);
  await panels.Ben.click('[data-testid=accept-invite]');
  await panels.Ben.waitForFunction(
    () => document.querySelector('[data-testid=pair-result]')?.textContent?.includes('Ana is now a contact'),
    { timeout: 30_000 },
  );
  await ana.waitForSelector('[data-testid=invite-state][data-state=used]', { timeout: 30_000 });
  await ana.reload(); // the home as a person opens it: no invite card left open
  await ana.waitForSelector('[data-testid=find-time-contact][data-name="Ben"]', { timeout: 30_000 });

  // The chat: Ana asks in plain words, her agent proposes, she confirms.
  await setInput(ana, '[data-testid=command-input]', COMMAND);
  await ana.click('[data-testid=command-submit]');
  await ana.waitForSelector('[data-testid=command-reply][data-intent=schedule] [data-testid=proposal]', {
    timeout: 30_000,
  });
  await ana.click('[data-testid=command-confirm]');
  await ana.waitForSelector('[data-testid=command-done]', { timeout: 30_000 });

  // Ben's agent needs him: his side panel and his popup show the approval with its exact action.
  const ben = panels.Ben;
  await ben.waitForSelector('[data-testid=approval]', { timeout: 30_000 });
  await save('sidepanel-approval', ben);
  const popup = await agents.Ben.open('popup');
  await popup.setViewport({ width: 340, height: 600 });
  await popup.waitForSelector('[data-testid=approval]', { timeout: 30_000 });
  await save('popup', (await popup.$('main'))!);
  await popup.close();

  // Both approve until the meeting is booked; each side panel tells what happened.
  await approveUntilBooked(panels, NAMES, TITLE, { timeoutMs: 120_000 });
  await ana.waitForSelector('[data-testid=negotiation][data-outcome=booked] [data-testid=negotiation-story]');
  await save('sidepanel-home', ana);
  await ben.waitForSelector('[data-testid=activity-item]', { timeout: 30_000 });
  await save(
    'sidepanel-activity',
    (await ben.evaluateHandle(
      () => document.querySelector('[data-testid=activity]')!.closest('section') ?? document.body,
    )) as ElementHandle,
  );

  // Dark mode from prefers-color-scheme (A11Y3).
  await ana.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await save('sidepanel-dark', ana);
  await ana.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);

  // The palette, opened through the shortcut's handler (PAL1): the fuzzy search at work.
  const workerTarget = await agents.Ana.browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
  );
  await (await workerTarget.worker())!.evaluate(() =>
    (globalThis as any).chrome.commands.onCommand.dispatch('open-palette'),
  );
  const palette = (await (
    await agents.Ana.browser.waitForTarget((t) => t.url().endsWith('/palette.html'))
  ).page())!;
  await palette.setViewport({ width: 560, height: 340 });
  await palette.waitForSelector('[data-testid=palette-option][data-group=contact]', { timeout: 20_000 });
  await palette.keyboard.type('ben');
  await waitFor(
    () =>
      palette.$$eval('[data-testid=palette-option]', (rows) =>
        rows.some((r) => r.textContent?.includes('Find a time with Ben')),
      ),
    10_000,
    'the palette’s match',
  );
  writeFileSync(path.join(OUT, 'palette.png'), await palette.screenshot({ type: 'png' }));
  written.push('docs/screenshots/palette.png');
  console.log('wrote docs/screenshots/palette.png');
  await palette.close();

  // The Google Calendar layer on a replica page: Ana asks for a second meeting, and Ben's layer shows the
  // booked one marked and the new approval with its buttons (GCL3, GCL4).
  await setInput(ana, '[data-testid=command-input]', SECOND);
  await ana.click('[data-testid=command-submit]');
  await ana.waitForSelector(
    '[data-testid=command-reply][data-intent=schedule] [data-testid=command-confirm]',
    {
      timeout: 30_000,
    },
  );
  await ana.click('[data-testid=command-confirm]');
  await ben.waitForSelector('[data-testid=approval]', { timeout: 30_000 });
  // Its event id is the one Parley gave the booking (WRT1), as Google Calendar lists it.
  let booked: { id: string } | undefined;
  await waitFor(
    async () => !!(booked = (await calendarEvents(fakes.Ben.url)).find((e) => e.summary?.includes(TITLE))),
    30_000,
    'the booked event in Ben’s calendar',
  );
  await calendarLayer(agents.Ben, booked!.id);
}

try {
  await main();
  console.log(`${written.length} screenshots in docs/screenshots`);
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
}
