import type { Browser, Page, Target, WebWorker } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import {
  configure,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  openConnectedPanel,
  pairPanels,
  removeProfileDir,
  rpc,
  waitFor,
  type AgentBrowser,
} from './harness';

/**
 * Clicking a notification opens the right place (docs/protocol/surfaces.md NTF4, NTF5), in real Chromium
 * with the built extension: "approval needed" opens the side panel with the approval, "declined" and
 * "booked" open it at that meeting, focused. Two agents, Ana and Ben, one relay.
 *
 * A notification cannot be clicked headless (Chromium shows none). The test dispatches the
 * `notifications.onClicked` event inside the service worker (`chrome.notifications.onClicked.dispatch(id)`)
 * with the id of a notification the agent really showed (read back with `chrome.notifications.getAll`):
 * every listener the extension registered runs exactly as when the person clicks. Without the click's user
 * gesture the browser may refuse the side panel, and then the same page opens in a tab (NTF4's fallback):
 * either way, the page that opened and its address are what is asserted.
 */
let relay: Relay;
const names = ['Ana', 'Ben'] as const;
type Name = (typeof names)[number];
const agents = {} as Record<Name, AgentBrowser>;
const panels = {} as Record<Name, Page>;
const profiles = Object.fromEntries(names.map((n) => [n, makeProfileDir(`ntf-${n}`)])) as Record<
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
    panels[name] = await openConnectedPanel(agents[name]);
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

const shown = async (name: Name): Promise<string[]> =>
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

async function startMeeting(title: string): Promise<string> {
  const before = new Set((await meetings('Ana')).map((m) => m.id));
  const ben = (await rpc(panels.Ana, 'contacts.list', {})).output.find((c: any) => c.name === 'Ben');
  const started = await rpc(panels.Ana, 'negotiations.start', {
    contactIds: [ben.agentId],
    durationMin: 30,
    title,
    withinDays: 7,
  });
  expect(started.ok).toBe(true);
  let id = '';
  await waitFor(
    async () => !!(id = (await meetings('Ana')).find((m) => !before.has(m.id))?.id ?? ''),
    10_000,
    'the new meeting',
  );
  return id;
}

/**
 * Clicks the notification `id` of `name`'s agent the way the browser does (see above) and answers the
 * extension page it opened: a side panel or, refused that, a tab.
 */
async function click(name: Name, id: string): Promise<{ url: string; page: Page }> {
  const { browser } = agents[name];
  expect(await shown(name)).toContain(id);
  const panelPage = (t: Target) =>
    /^chrome-extension:\/\/[^/]+\/sidepanel\.html/.test(t.url()) && t.type() === 'page';
  const before = new Set(browser.targets().filter(panelPage));
  await (
    await worker(browser)
  ).evaluate((notification) => (globalThis as any).chrome.notifications.onClicked.dispatch(notification), id);
  const opened = await browser.waitForTarget((t) => panelPage(t) && !before.has(t), { timeout: 20_000 });
  return { url: opened.url(), page: (await opened.page())! };
}

/** The meeting item that has the keyboard focus in `page`, if any. */
const focusedMeeting = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (el?.getAttribute('data-testid') !== 'negotiation') return undefined;
    return {
      id: el.dataset.negotiation,
      current: el.getAttribute('aria-current'),
      outcome: el.querySelector('[data-testid=negotiation-outcome]')?.getAttribute('data-kind') ?? '',
    };
  });

let declinedId = '';

describe('a notification, clicked, opens the right place', () => {
  it('[NTF4] "approval needed" opens the side panel, where the approval waits with its buttons', async () => {
    declinedId = await startMeeting('Asked by notification');
    const id = `parley/approval/${declinedId}`;
    await waitFor(async () => (await shown('Ben')).includes(id), 30_000, 'Ben’s approval notification');
    const { url, page } = await click('Ben', id);
    expect(new URL(url).pathname).toBe('/sidepanel.html');
    expect(new URL(url).search).toBe('');
    await page.waitForSelector(
      `[data-testid=approval][data-negotiation="${declinedId}"] [data-testid=approve]`,
      { timeout: 20_000 },
    );
    // Once it has taken the person there, the notification goes.
    await waitFor(async () => !(await shown('Ben')).includes(id), 10_000, 'the notification cleared');
    await page.close();
  });

  it('[NTF4] [NTF5] "declined" opens the side panel at that meeting, focused and told as declined', async () => {
    const [asked] = (await meetings('Ben')).filter((m) => m.id === declinedId && m.approval);
    expect(asked).toBeDefined();
    const decided = await rpc(panels.Ben, 'negotiations.decide', {
      negotiationId: declinedId,
      actionHash: asked.approval.actionHash,
      approved: false,
    });
    expect(decided.ok).toBe(true);
    const id = `parley/declined/${declinedId}`;
    await waitFor(async () => (await shown('Ana')).includes(id), 30_000, 'Ana’s declined notification');
    const { url, page } = await click('Ana', id);
    expect(new URL(url).pathname).toBe('/sidepanel.html');
    expect(new URL(url).searchParams.get('meeting')).toBe(declinedId);
    await page.waitForFunction(
      (m) => (document.activeElement as HTMLElement | null)?.dataset.negotiation === m,
      { timeout: 20_000 },
      declinedId,
    );
    expect(await focusedMeeting(page)).toEqual({ id: declinedId, current: 'true', outcome: 'declined' });
    await page.close();
  });

  it('[NTF4] [NTF5] "meeting booked" opens the side panel at that meeting, focused and told as booked', async () => {
    const bookedId = await startMeeting('Booked by notification');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const both = [...(await meetings('Ana')), ...(await meetings('Ben'))].filter((m) => m.id === bookedId);
      if (both.length === 2 && both.every((m) => m.outcome === 'booked')) break;
      if (Date.now() > deadline) throw new Error(`not booked: ${JSON.stringify(both.map((m) => m.phase))}`);
      for (const name of names)
        for (const m of await meetings(name))
          if (m.id === bookedId && m.approval)
            await rpc(panels[name], 'negotiations.decide', {
              negotiationId: m.id,
              actionHash: m.approval.actionHash,
              approved: true,
            });
      await new Promise((r) => setTimeout(r, 250));
    }
    const id = `parley/booked/${bookedId}`;
    await waitFor(async () => (await shown('Ana')).includes(id), 10_000, 'Ana’s booked notification');
    const { url, page } = await click('Ana', id);
    expect(new URL(url).searchParams.get('meeting')).toBe(bookedId);
    await page.waitForFunction(
      (m) => (document.activeElement as HTMLElement | null)?.dataset.negotiation === m,
      { timeout: 20_000 },
      bookedId,
    );
    expect(await focusedMeeting(page)).toEqual({ id: bookedId, current: 'true', outcome: 'booked' });
    // The other meeting is not the one shown.
    expect(
      await page.$eval(`[data-negotiation="${declinedId}"][data-testid=negotiation]`, (el) =>
        el.getAttribute('aria-current'),
      ),
    ).toBeNull();
    await page.close();
  });
});
