import type { Browser, Page, WebWorker } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import { eventIdForNegotiation } from '../../src/calendar';
import {
  configure,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  pairPanels,
  removeProfileDir,
  rpc,
  setInput,
  waitFor,
  type AgentBrowser,
} from './harness';

/**
 * Parley outside its own pages (docs/protocol/surfaces.md), in real Chromium with the built extension:
 * the command palette opened through the registered command handler, the toolbar badge and the
 * notifications when approvals arrive, and the Google Calendar layer on a replica page served for
 * https://calendar.google.com/* by request interception. Two agents, Ana and Ben, one relay.
 *
 * A browser shortcut cannot be pressed headless (Chromium's commands need a real keyboard focus on a
 * browser window). The tests dispatch the `commands.onCommand` event inside the service worker
 * (`chrome.commands.onCommand.dispatch('open-palette')`): every listener the extension registered —
 * the runtime's (LIF3) and nothing else — runs exactly as when the keys are pressed.
 */
let relay: Relay;
const names = ['Ana', 'Ben'] as const;
type Name = (typeof names)[number];
const agents = {} as Record<Name, AgentBrowser>;
const panels = {} as Record<Name, Page>;
const profiles = Object.fromEntries(names.map((n) => [n, makeProfileDir(`surfaces-${n}`)])) as Record<
  Name,
  string
>;

beforeAll(async () => {
  ensureBuilt();
  relay = createRelay({});
  const { url } = await relay.listen(0);
  for (const name of names) {
    agents[name] = await launchAgent(profiles[name]);
    await configure(agents[name], url, name);
    panels[name] = await agents[name].open('sidepanel');
    await panels[name].waitForSelector('[data-testid=relay-status][data-connected=true]');
  }
  await pairPanels(panels.Ana, panels.Ben, 'Ana');
}, 240_000);

afterAll(async () => {
  await Promise.allSettled(names.map((n) => agents[n]?.close()));
  await relay?.close();
  Object.values(profiles).forEach(removeProfileDir);
});

async function worker(browser: Browser): Promise<WebWorker> {
  const target = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
  );
  return (await target.worker())!;
}

const pressShortcut = async (name: Name) =>
  (await worker(agents[name].browser)).evaluate(() =>
    (globalThis as any).chrome.commands.onCommand.dispatch('open-palette'),
  );

async function paletteTargets(name: Name) {
  return agents[name].browser.targets().filter((t) => t.url().endsWith('/palette.html'));
}

async function openPalette(name: Name): Promise<Page> {
  await pressShortcut(name);
  const target = await agents[name].browser.waitForTarget((t) => t.url().endsWith('/palette.html'));
  const page = (await target.page())!;
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'palette-input');
  return page;
}

const options = (page: Page) =>
  page.$$eval('[data-testid=palette-option]', (items) =>
    items.map((li) => ({
      id: li.id,
      item: li.getAttribute('data-item'),
      group: li.getAttribute('data-group'),
      label: li.firstElementChild?.textContent ?? '',
      selected: li.getAttribute('aria-selected') === 'true',
    })),
  );

const badge = async (name: Name) =>
  (await worker(agents[name].browser)).evaluate(() => (globalThis as any).chrome.action.getBadgeText({}));
const notifications = async (name: Name): Promise<string[]> =>
  Object.keys(
    await (
      await worker(agents[name].browser)
    ).evaluate(() => (globalThis as any).chrome.notifications.getAll()),
  );

async function meetings(name: Name): Promise<any[]> {
  const answer = await rpc(panels[name], 'negotiations.list', {});
  if (!answer.ok) throw new Error(`negotiations.list failed: ${JSON.stringify(answer.error)}`);
  return answer.output;
}

describe('command palette', () => {
  it('[PAL1] the open-palette command opens the palette with the focus in its input, once', async () => {
    const palette = await openPalette('Ana');
    expect(await palette.$eval('[data-testid=palette-input]', (el) => el.getAttribute('role'))).toBe(
      'combobox',
    );
    // Pressed again, the open palette is focused: still one.
    await pressShortcut('Ana');
    await waitFor(async () => (await paletteTargets('Ana')).length === 1, 5_000, 'one palette');
    await palette.close();
  });

  it('[PAL2] [PAL3] fuzzy search over actions and contacts, driven by the keyboard only', async () => {
    const palette = await openPalette('Ana');
    // A contact arrives once the agent answers.
    await palette.waitForSelector('[data-testid=palette-option][data-group=contact]');
    await palette.keyboard.type('tim ben'); // every word matches, fuzzily
    await waitFor(
      async () => (await options(palette))[0]?.label === 'Find a time with Ben',
      5_000,
      'fuzzy hit',
    );
    const rows = await options(palette);
    expect(rows.at(-1)).toMatchObject({ group: 'ask', label: 'Ask your agent: “tim ben”' });
    expect(rows[0]!.selected).toBe(true);
    // The listbox pattern: the input names the active option.
    const active = () =>
      palette.$eval('[data-testid=palette-input]', (el) => el.getAttribute('aria-activedescendant'));
    expect(await active()).toBe(rows[0]!.id);
    await palette.keyboard.press('ArrowUp'); // wraps to the last row, the agent's
    expect(await active()).toBe(rows.at(-1)!.id);
    await palette.keyboard.press('ArrowDown'); // and back to the first
    expect(await active()).toBe(rows[0]!.id);
    await palette.keyboard.press('Enter'); // a contact fills the input: the person says when
    await waitFor(
      async () =>
        (await palette.$eval('[data-testid=palette-input]', (el) => (el as HTMLInputElement).value)) ===
        'Find a time with Ben ',
      5_000,
      'the contact in the input',
    );
    expect(await palette.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'palette-input',
    );
    // An action by fuzzy words: "synk cal" finds "Sync your calendars now".
    await setInput(palette, '[data-testid=palette-input]', 'synk cal');
    await waitFor(async () => (await options(palette))[0]?.item === 'sync', 5_000, 'the sync action');
    // Esc closes the palette (the window may be gone before the key is released).
    await palette.keyboard.press('Escape').catch((error: Error) => {
      if (!/Target closed/.test(error.message)) throw error;
    });
    await waitFor(async () => (await paletteTargets('Ana')).length === 0, 5_000, 'palette closed');
  });
});

let negotiationId = '';
let calendarTab: Page | undefined;
const TITLE = '<img src=x onerror="document.title=1">Plan';

describe('the agent asks, the person hears of it', () => {
  it('[PAL4] free text goes to the agent; its proposal is confirmed with Enter', async () => {
    const palette = await openPalette('Ana');
    await palette.keyboard.type('find 30 minutes with Ben next week');
    await palette.keyboard.press('ArrowUp'); // the agent's row
    await palette.keyboard.press('Enter');
    await palette.waitForSelector('[data-testid=palette-reply] [data-testid=palette-proposal]', {
      timeout: 20_000,
    });
    expect(await palette.$eval('[data-testid=palette-reply]', (el) => el.getAttribute('data-intent'))).toBe(
      'schedule',
    );
    await palette.waitForFunction(
      () => document.activeElement?.getAttribute('data-testid') === 'palette-confirm',
    );
    await palette.keyboard.press('Enter');
    await palette.waitForSelector('[data-testid=palette-done]', { timeout: 20_000 });
    await palette.close();
    await waitFor(async () => (await meetings('Ana')).length === 1, 20_000, 'the meeting');
  });

  it('[NTF1] [NTF2] an approval arriving sets the badge and shows one notification', async () => {
    // Ben's agent is asked for his free times: that needs his approval.
    await waitFor(async () => (await meetings('Ben')).some((m) => m.approval), 30_000, "Ben's approval");
    const [meeting] = await meetings('Ben');
    negotiationId = meeting.id;
    await waitFor(async () => (await badge('Ben')) === '1', 10_000, 'badge 1');
    expect(await notifications('Ben')).toEqual([`parley/approval/${negotiationId}`]);
    expect(await badge('Ana')).toBe('');
  });
});

/** A replica of Google Calendar's week view: event chips with `data-eventid`, re-rendered on navigation. */
function replica(events: { eventId: string; title: string }[]): string {
  const chips = JSON.stringify(
    events.map((e) => ({ id: btoa(`${e.eventId} ana@example.com`).replace(/=+$/, ''), title: e.title })),
  );
  return `<!doctype html><html><head><title>Google Calendar</title></head><body>
<div role="main" id="grid"></div>
<script>
  const chips = ${chips};
  function render(week) {
    const grid = document.getElementById('grid');
    grid.replaceChildren();
    for (const chip of chips) {
      const el = document.createElement('div');
      el.setAttribute('data-eventid', chip.id);
      el.setAttribute('role', 'button');
      el.textContent = chip.title + ' (' + week + ')';
      grid.append(el);
    }
  }
  render('this week');
  window.goToNextWeek = () => { history.pushState({}, '', '/calendar/u/0/r/week/next'); render('next week'); };
</script></body></html>`;
}

async function calendarPage(name: Name, events: { eventId: string; title: string }[]): Promise<Page> {
  const page = await agents[name].browser.newPage();
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.url().startsWith('https://calendar.google.com/'))
      void request.respond({ status: 200, contentType: 'text/html', body: replica(events) });
    else void request.abort();
  });
  await page.goto('https://calendar.google.com/calendar/u/0/r/week');
  await page.waitForFunction(() => document.documentElement.dataset.parley === 'present');
  return page;
}

/** Text inside the layer's shadow root (open mode, so a test can read it). */
const layer = (page: Page, selector: string) =>
  page.evaluate((s) => {
    const host = document.querySelector('parley-layer');
    return [...(host?.shadowRoot?.querySelectorAll(s) ?? [])].map((e) => e.textContent ?? '');
  }, selector);

describe('Google Calendar layer', () => {
  it('[GCL1] [GCL2] [GCL4] shows the approval with its exact action text, and approving there decides it', async () => {
    const page = await calendarPage('Ben', []);
    const [meeting] = await meetings('Ben');
    await waitFor(
      async () => (await layer(page, '[data-testid=layer-approval] p')).length === 1,
      10_000,
      'approval',
    );
    expect(await layer(page, '[data-testid=layer-approval] p')).toEqual([meeting.approval.description]);
    // A page script cannot reach the agent: the RPC refuses a Google Calendar page (RPC4), and it has no port.
    await page.evaluate(() =>
      document
        .querySelector('parley-layer')!
        .shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=layer-approve]')!
        .click(),
    );
    await waitFor(
      async () =>
        !(await meetings('Ben')).find((m) => m.id === negotiationId)?.approval ||
        (await meetings('Ben')).find((m) => m.id === negotiationId)?.approval?.actionHash !==
          meeting.approval.actionHash,
      20_000,
      'the decision',
    );
    await waitFor(async () => (await badge('Ben')) === '', 10_000, 'badge cleared');
    await page.close();
  });

  it('[NTF2] [GCL3] [GCL6] [GCL7] marks the booked event, as text, across a client-side navigation', async () => {
    // Every approval still asked, by either side, is given until the meeting is booked.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const all = [...(await meetings('Ana')), ...(await meetings('Ben'))];
      if (all.filter((m) => m.id === negotiationId && m.outcome === 'booked').length === 2) break;
      if (Date.now() > deadline) throw new Error(`not booked: ${JSON.stringify(all.map((m) => m.phase))}`);
      for (const name of names)
        for (const m of await meetings(name))
          if (m.approval)
            await rpc(panels[name], 'negotiations.decide', {
              negotiationId: m.id,
              actionHash: m.approval.actionHash,
              approved: true,
            });
      await new Promise((r) => setTimeout(r, 250));
    }
    await waitFor(
      async () => (await notifications('Ana')).includes(`parley/booked/${negotiationId}`),
      10_000,
      'booked notification',
    );
    const eventId = await eventIdForNegotiation(negotiationId);
    const page = await calendarPage('Ana', [
      { eventId, title: 'Parley meeting' },
      { eventId: 'someoneelseseventid0123', title: 'Dentist' },
    ]);
    const marked = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('[data-eventid]')].map((el) => ({
          text: el.firstChild?.textContent,
          mark:
            el.querySelector('parley-mark')?.shadowRoot?.querySelector('[data-testid=layer-mark]')
              ?.textContent ?? null,
        })),
      );
    await waitFor(async () => (await marked()).some((m) => m.mark === 'Parley'), 10_000, 'the mark');
    expect(await marked()).toEqual([
      { text: 'Parley meeting (this week)', mark: 'Parley' },
      { text: 'Dentist (this week)', mark: null },
    ]);
    await page.evaluate(() => (window as any).goToNextWeek());
    await waitFor(
      async () =>
        JSON.stringify(await marked()) ===
        JSON.stringify([
          { text: 'Parley meeting (next week)', mark: 'Parley' },
          { text: 'Dentist (next week)', mark: null },
        ]),
      10_000,
      'the mark after navigation',
    );
    // A title with markup (typed by Ana) shows as text: nothing of it becomes an element.
    const started = await rpc(panels.Ana, 'negotiations.start', {
      contactIds: [(await rpc(panels.Ana, 'contacts.list', {})).output[0].agentId],
      durationMin: 30,
      title: TITLE,
      withinDays: 7,
    });
    expect(started.ok).toBe(true);
    await waitFor(
      async () => (await layer(page, '[data-testid=layer-pending] li')).some((t) => t.startsWith(TITLE)),
      10_000,
      'the pending meeting',
    );
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(
      await page.evaluate(() =>
        [...document.querySelectorAll('parley-layer, parley-mark')].some((h) =>
          h.shadowRoot!.querySelector('img'),
        ),
      ),
    ).toBe(false);
    expect(await page.title()).toBe('Google Calendar');
    calendarTab = page;
  });

  it('[GCL5] "Find a time with…" opens the side panel with the command box filled', async () => {
    const page = calendarTab!;
    await page.evaluate(() =>
      document
        .querySelector('parley-layer')!
        .shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=layer-find-time]')!
        .click(),
    );
    const target = await agents.Ana.browser.waitForTarget((t) => t.url().includes('sidepanel.html?ask='));
    const panel = (await target.page()) ?? (await target.asPage());
    await panel.waitForSelector('[data-testid=command-input]');
    expect(await panel.$eval('[data-testid=command-input]', (el) => (el as HTMLInputElement).value)).toBe(
      'Find a time with ',
    );
    // A side panel, not a tab: the worker sees one side-panel context.
    const sidePanels = await (
      await worker(agents.Ana.browser)
    ).evaluate(
      async () =>
        (await (globalThis as any).chrome.runtime.getContexts({ contextTypes: ['SIDE_PANEL'] })).length,
    );
    expect(sidePanels).toBe(1);
  });

  it('[GCL7] tears down with its context: nothing of Parley stays on the page', async () => {
    const page = calendarTab!;
    expect(
      await page.evaluate(() => document.querySelectorAll('parley-layer, parley-mark').length),
    ).toBeGreaterThan(0);
    // The extension reloads (an update does the same): the old content script's context is invalidated.
    await (
      await worker(agents.Ana.browser)
    )
      .evaluate(() => (globalThis as any).chrome.runtime.reload())
      .catch(() => undefined);
    await waitFor(
      () =>
        page.evaluate(
          () => document.querySelectorAll('parley-layer, parley-mark, [data-wxt-shadow-root]').length === 0,
        ),
      15_000,
      'the layer removed',
    );
    expect(await page.evaluate(() => document.documentElement.dataset.parley)).toBeUndefined();
    // The page itself is untouched.
    expect(await page.evaluate(() => document.querySelectorAll('[data-eventid]').length)).toBe(2);
    await page.close();
  });
});
