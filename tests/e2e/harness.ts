import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHROME_EXTENSION = path.join(ROOT, '.output/chrome-mv3');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Quiet flags: no phoning home on a closed network (../shared/RECIPES.md).
export const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--metrics-recording-only',
  '--disable-dev-shm-usage',
  '--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater',
];

/** Builds the Chrome extension unless `npm test` already did. */
export function ensureBuilt(): void {
  if (process.env.PARLEY_SKIP_BUILD === '1' && existsSync(path.join(CHROME_EXTENSION, 'manifest.json')))
    return;
  execFileSync('npx', ['wxt', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

export const makeProfileDir = (name: string) => mkdtempSync(path.join(tmpdir(), `parley-${name}-`));
export const removeProfileDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

export interface AgentBrowser {
  browser: Browser;
  extensionId: string;
  open(page: 'popup' | 'sidepanel' | 'options'): Promise<Page>;
  close(): Promise<void>;
}

/** A real Chromium with the built extension, its worker started and the agent ready. */
export const PASSPHRASE = 'correct horse battery staple';

/**
 * Answers the popup's first-run or unlock form, then waits for the agent's status. A first run's guided
 * steps after the passphrase (onboarding.test.ts walks them) are skipped: suites configure through
 * `configure`.
 */
export async function unlock(popup: Page, passphrase = PASSPHRASE): Promise<void> {
  const first = await popup.waitForSelector(
    '[data-testid=fingerprint], [data-testid=setup-form], [data-testid=unlock-form], [data-testid=onboarding-skip]',
    { timeout: 30_000 },
  );
  const form = await first!.evaluate((el) => el.getAttribute('data-testid'));
  if (form === 'onboarding-skip') {
    // A first run left half-way (an earlier test set the passphrase only): skip the rest of it.
    await first!.click();
    await popup.waitForSelector('[data-testid=fingerprint]', { timeout: 30_000 });
    return;
  }
  if (form === 'setup-form') {
    await popup.type('input[name=passphrase]', passphrase);
    await popup.type('input[name=confirm]', passphrase);
    await popup.click('[data-testid=passphrase-submit]');
  } else if (form === 'unlock-form') {
    await popup.type('input[name=passphrase]', passphrase);
    await popup.click('[data-testid=passphrase-submit]');
  }
  const next = await popup.waitForSelector('[data-testid=fingerprint], [data-testid=onboarding-skip]', {
    timeout: 30_000,
  });
  if ((await next!.evaluate((el) => el.getAttribute('data-testid'))) === 'onboarding-skip') {
    await next!.click();
    await popup.waitForSelector('[data-testid=fingerprint]', { timeout: 30_000 });
  }
}

export interface LaunchOptions {
  /** Chromium flags beyond the quiet ones (a host resolver rule, a certificate to trust, a window size…). */
  args?: readonly string[];
  /** false: a visible window (needs a display); pages then take the window's size. */
  headless?: boolean;
  /** The browser's environment, e.g. `TZ` for the zone its clock reads. */
  env?: Record<string, string | undefined>;
  /** false: the caller stops the browser on Ctrl+C itself (puppeteer would otherwise exit the process). */
  handleSignals?: boolean;
  /** The unpacked extension to load (default: the production build; tests/e2e/lab.ts has the lab one). */
  extension?: string;
}

export async function launchAgent(
  userDataDir: string,
  passphrase = PASSPHRASE,
  { args = [], headless = true, env, handleSignals = true, extension = CHROME_EXTENSION }: LaunchOptions = {},
): Promise<AgentBrowser> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless,
    pipe: true,
    userDataDir,
    enableExtensions: [extension],
    args: [...QUIET_FLAGS, ...args],
    ...(env && { env }),
    ...(!headless && { defaultViewport: null }),
    ...(!handleSignals && { handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false }),
  });
  const target = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    { timeout: 30_000 },
  );
  const extensionId = new URL(target.url()).host;
  // Evaluating in a just-started worker races its start-up and was seen to hang
  // it for good (RECIPES.md). Ask the agent the way the UI does instead: a page
  // whose RPC answers only once the agent is up.
  const probe = await browser.newPage();
  await probe.goto(`chrome-extension://${extensionId}/popup.html`);
  await unlock(probe, passphrase);
  await probe.close();
  return {
    browser,
    extensionId,
    async open(name) {
      const page = await browser.newPage();
      await page.goto(`chrome-extension://${extensionId}/${name}.html`);
      return page;
    },
    close: () => browser.close(),
  };
}

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** Points an agent at a relay and names it, through its options page. */
export async function configure(agent: AgentBrowser, relayUrl: string, displayName: string): Promise<void> {
  const page = await agent.open('options');
  await page.waitForSelector('input[name=relayUrl]');
  await waitFor(() => page.$eval('input[name=relayUrl]', (el) => (el as HTMLInputElement).value !== ''));
  for (let attempt = 1; ; attempt++) {
    await setInput(page, 'input[name=relayUrl]', relayUrl);
    await setInput(page, 'input[name=displayName]', displayName);
    await page.click('[data-testid=settings-save]');
    const outcome = await page.waitForSelector('[data-testid=saved], [data-testid=error]', {
      timeout: 30_000,
    });
    if ((await outcome!.evaluate((el) => el.getAttribute('data-testid'))) === 'saved') break;
    const shown = await page.$eval(
      '[data-testid=error]',
      (el) => `${el.getAttribute('data-code')}: ${el.textContent}`,
    );
    const typed = await page.$$eval('input', (els) =>
      els.map((e) => (e as HTMLInputElement).value).join(' | '),
    );
    if (attempt === 2) throw new Error(`Saving settings failed: ${shown} (fields: ${typed})`);
  }
  await page.close();
}

export async function setInput(page: Page, selector: string, value: string): Promise<void> {
  // Clear through the keyboard, as a person would: setting `.value` directly fires no input
  // event, and a re-render in between puts the old value back (typed text then appends to it).
  await page.focus(selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.type(selector, value);
  const now = await page.$eval(selector, (el) => (el as HTMLInputElement).value);
  if (now !== value) throw new Error(`Typing into ${selector} left "${now}" instead of "${value}"`);
}

/** Texts of the messages shown in a side panel's open thread. */
export const threadTexts = (page: Page) =>
  page.$$eval('[data-testid=message]', (items) =>
    items.map((li) => ({
      text: li.firstChild?.textContent ?? '',
      direction: li.getAttribute('data-direction'),
    })),
  );

/** Points an agent's Google settings at a fake Google Calendar and connects it (OAuth + first sync). */
export async function connectCalendar(agent: AgentBrowser, fakeUrl: string): Promise<void> {
  const options = await agent.open('options');
  await options.waitForSelector('[data-testid=calendar-connect]');
  await options.click('[data-testid=google-endpoints-toggle]');
  const endpoints: Record<string, string> = {
    clientId: 'parley-e2e.apps.googleusercontent.com',
    authUrl: `${fakeUrl}/o/oauth2/v2/auth`,
    tokenUrl: `${fakeUrl}/token`,
    revokeUrl: `${fakeUrl}/revoke`,
    apiBaseUrl: `${fakeUrl}/calendar/v3`,
  };
  for (const [key, value] of Object.entries(endpoints))
    await setInput(options, `input[name="google.${key}"]`, value);
  await options.click('[data-testid=google-endpoints] button[type=submit]');
  await options.click('[data-testid=calendar-connect]');
  // OAuth and the first sync: generous, for a busy machine.
  await options.waitForSelector('[data-testid=calendars] input[type=checkbox]', { timeout: 90_000 });
  await options.close();
}

/** Pairs two agents through the side panels: `inviter` creates a code, `invitee` pastes it. */
export async function pairPanels(inviter: Page, invitee: Page, inviterName: string): Promise<void> {
  await inviter.click('[data-testid=create-invite]');
  await inviter.waitForSelector('[data-testid=invite-code]');
  const code = await inviter.$eval('[data-testid=invite-code]', (el) => (el as HTMLTextAreaElement).value);
  await setInput(invitee, '[data-testid=invite-input]', code);
  await invitee.click('[data-testid=accept-invite]');
  await invitee.waitForFunction(
    (name) =>
      document.querySelector('[data-testid=pair-result]')?.textContent?.includes(`${name} is now a contact`),
    { timeout: 20_000 },
    inviterName,
  );
}

/** Calls the agent's RPC from one of its pages, as the UI does; answers `{ ok, output }` or `{ ok, error }`. */
export async function rpc(
  page: Page,
  method: string,
  input: unknown,
): Promise<{ ok: boolean; output?: any; error?: any }> {
  return page.evaluate(
    (m, i) =>
      (globalThis as any).chrome.runtime.sendMessage({
        kind: 'parley/rpc',
        id: crypto.randomUUID(),
        method: m,
        input: i,
      }),
    method,
    input as object,
  );
}

/** Opens an agent's side panel once it is connected to its relay. */
export async function openConnectedPanel(agent: AgentBrowser): Promise<Page> {
  const panel = await agent.open('sidepanel');
  await panel.waitForSelector('[data-testid=relay-status][data-connected=true]', { timeout: 30_000 });
  return panel;
}

export interface WorkingHours {
  timeZone: string;
  dayStart: string;
  dayEnd: string;
  /** The working days to tick (`mon`…`sun`); absent: leave the days as they are. */
  workingDays?: readonly string[];
}

/** Sets a person's time zone and working hours through the options page, as a person would. */
export async function setWorkingHours(agent: AgentBrowser, hours: WorkingHours): Promise<void> {
  const options = await agent.open('options');
  await options.waitForSelector('[data-testid=preferences]');
  await setInput(options, 'input[name=timeZone]', hours.timeZone);
  await setInput(options, 'input[name=dayStart]', hours.dayStart);
  await setInput(options, 'input[name=dayEnd]', hours.dayEnd);
  for (const day of hours.workingDays ?? []) {
    const box = `input[name=workingDays][value=${day}]`;
    if (!(await options.$eval(box, (el) => (el as HTMLInputElement).checked))) await options.click(box);
  }
  for (const box of await options.$$('input[name=workingDays]')) {
    const [day, checked] = await box.evaluate((el) => [el.value, el.checked] as const);
    if (hours.workingDays && checked && !hours.workingDays.includes(day)) await box.click();
  }
  await options.click('[data-testid=preferences-save]');
  await options.waitForSelector('[data-testid=preferences-saved]');
  await options.close();
}

/** One request for approval shown in a side panel, as `approveUntilBooked` met it. */
export interface ShownApproval {
  /** What the agent asks, in the person's words. */
  description: string;
  /** The times it would share or book, as shown. */
  slots: string[];
}

/**
 * Approves whatever the agents ask about the meeting titled `title` (a substring: the invitees' copies are
 * "title (with …)") until every panel of `who` shows it booked. `onApproval` runs before each click (to
 * show it, or take a picture); with it, each approval is waited out before the next is looked at.
 */
export async function approveUntilBooked<Name extends string>(
  panels: Record<Name, Page>,
  who: readonly Name[],
  title: string,
  {
    timeoutMs = 60_000,
    onApproval,
  }: { timeoutMs?: number; onApproval?: (name: Name, shown: ShownApproval) => Promise<void> } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let booked = 0;
    for (const name of who) {
      const panel = panels[name];
      const state = await panel.evaluate((t) => {
        const item = [...document.querySelectorAll('[data-testid=negotiation]')].find((n) =>
          n.textContent?.includes(t),
        );
        const approval = [...document.querySelectorAll('[data-testid=approval]')].find((n) =>
          n.textContent?.includes(t),
        );
        return {
          outcome: item?.getAttribute('data-outcome') ?? '',
          approval: approval && {
            description: approval.querySelector('div')?.textContent ?? '',
            slots: [...approval.querySelectorAll('li')].map((li) => li.textContent ?? ''),
          },
        };
      }, title);
      if (state.approval) {
        await onApproval?.(name, state.approval);
        await clickApprove(panel, title);
        if (onApproval)
          await waitFor(() => approvalGone(panel, title, state.approval!), 20_000, 'the approval');
      }
      if (state.outcome === 'booked') booked++;
    }
    if (booked === who.length) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const shown = await Promise.all(
    who.map(
      async (name) =>
        `${name}: ${await panels[name].$eval('[data-testid=negotiations]', (el) => el.textContent)}`,
    ),
  );
  throw new Error(`"${title}" was not booked by all of ${who.join(', ')} in time (${shown.join(' | ')})`);
}

const clickApprove = (panel: Page, title: string) =>
  panel.evaluate((t) => {
    const approval = [...document.querySelectorAll('[data-testid=approval]')].find((n) =>
      n.textContent?.includes(t),
    );
    approval?.querySelector<HTMLButtonElement>('[data-testid=approve]')?.click();
  }, title);

/** The approval that was clicked is no longer shown (the next one, if any, asks something else). */
const approvalGone = (panel: Page, title: string, was: ShownApproval) =>
  panel.evaluate(
    (t, before) =>
      ![...document.querySelectorAll('[data-testid=approval]')].some(
        (n) =>
          n.textContent?.includes(t) &&
          n.querySelector('div')?.textContent === before.description &&
          [...n.querySelectorAll('li')].map((li) => li.textContent ?? '').join('|') ===
            before.slots.join('|'),
      ),
    title,
    was,
  );

/** A calendar event as the fake Google Calendar lists it. */
export interface ListedEvent {
  id: string;
  status: string;
  summary?: string;
  start: { dateTime?: string; date?: string };
  end: { dateTime?: string; date?: string };
}

/** The live events of a fake Google Calendar's primary calendar (titled `title` when given). */
export async function calendarEvents(fakeUrl: string, title?: string): Promise<ListedEvent[]> {
  const response = await fetch(
    `${fakeUrl}/calendar/v3/calendars/primary/events?singleEvents=true&maxResults=2500`,
    { headers: { authorization: 'Bearer test' } },
  );
  const body = (await response.json()) as { items: ListedEvent[] };
  return body.items.filter((e) => e.status !== 'cancelled' && (title === undefined || e.summary === title));
}
