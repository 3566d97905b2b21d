import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from '../fakes/google-calendar';
import {
  configure,
  connectCalendar,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  removeProfileDir,
  rpc,
  type AgentBrowser,
} from './harness';

/**
 * The side panel as the agent's home, driven with the keyboard only (no mouse): Ana invites Ben, Ben accepts,
 * Ana finds a time, both approve; then each side panel tells the negotiation in words, the activity log lists
 * what was shared with whom, a used invite says so, and an over-long message is refused before sending.
 * Two real browsers, each with its own fake Google Calendar, one relay.
 */
const names = ['Ana', 'Ben'] as const;
type Name = (typeof names)[number];
let relay: Relay;
const fakes = {} as Record<Name, FakeGoogleCalendar>;
const agents = {} as Record<Name, AgentBrowser>;
const panels = {} as Record<Name, Page>;
const profiles = { Ana: makeProfileDir('home-ana'), Ben: makeProfileDir('home-ben') };
let inviteCode = '';

beforeAll(async () => {
  ensureBuilt();
  relay = createRelay();
  const { url } = await relay.listen(0);
  for (const name of names) fakes[name] = await startFakeGoogleCalendar({ port: 0 });
  for (const name of names) {
    agents[name] = await launchAgent(profiles[name]);
    await configure(agents[name], url, name);
    await connectCalendar(agents[name], fakes[name].url);
    panels[name] = await agents[name].open('sidepanel');
    await panels[name].setViewport({ width: 420, height: 1400 });
    await panels[name].waitForSelector('[data-testid=relay-status][data-connected=true]');
  }
});

afterAll(async () => {
  await Promise.allSettled(names.map((n) => agents[n]?.close()));
  await Promise.allSettled(names.map((n) => fakes[n]?.close()));
  await relay?.close();
  Object.values(profiles).forEach(removeProfileDir);
});

/** Moves the focus with Tab (Shift+Tab is never needed: the page wraps) until it is on `selector`. */
async function tabTo(page: Page, selector: string, max = 400): Promise<void> {
  await page.waitForSelector(selector, { timeout: 30_000 });
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`The keyboard never reached ${selector}`);
}

/** The negotiation item titled `title` in a side panel: its phase, outcome, story and outcome words. */
const meeting = (page: Page, title: string) =>
  page.evaluate((t) => {
    const item = [...document.querySelectorAll('[data-testid=negotiation]')].find((n) =>
      n.querySelector('strong')?.textContent?.includes(t),
    );
    return {
      outcome: item?.getAttribute('data-outcome') ?? '',
      story: item?.querySelector('[data-testid=negotiation-story]')?.textContent ?? '',
      told: item?.querySelector('[data-testid=negotiation-outcome]')?.textContent ?? '',
      kind: item?.querySelector('[data-testid=negotiation-outcome]')?.getAttribute('data-kind') ?? '',
    };
  }, title);

/** Approves, with Tab and Enter, whatever each side panel asks about `title`, until both show it booked. */
async function approveWithKeyboardUntil(title: string, done: (outcomes: string[]) => boolean) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const outcomes: string[] = [];
    for (const name of names) {
      const panel = panels[name];
      const selector = `[data-testid=approval][data-title="${title}"] [data-testid=approve]`;
      if (await panel.$(selector)) {
        await tabTo(panel, selector);
        await panel.keyboard.press('Enter');
        await panel.waitForFunction((s) => !document.querySelector(s), { timeout: 20_000 }, selector);
      }
      outcomes.push((await meeting(panel, title)).outcome);
    }
    if (done(outcomes)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`"${title}" did not settle in time`);
}

describe('the side panel home, by keyboard', () => {
  it('[HOM5][INV1] Ana invites with the keyboard: the invite has a code, a Copy button, a link and a QR code', async () => {
    const ana = panels.Ana;
    await tabTo(ana, '[data-testid=create-invite]');
    await ana.keyboard.press('Enter');
    await ana.waitForSelector('[data-testid=invite-card][data-state=open]');
    inviteCode = await ana.$eval('[data-testid=invite-code]', (el) => (el as HTMLTextAreaElement).value);
    expect(inviteCode).toMatch(/^parley1\./);
    const link = await ana.$eval('[data-testid=invite-link]', (el) => (el as HTMLAnchorElement).href);
    expect(link).toBe(
      `chrome-extension://${agents.Ana.extensionId}/sidepanel.html#invite=${encodeURIComponent(inviteCode)}`,
    );
    // The QR code is SVG rectangles (no HTML string), a square of modules.
    const qr = await ana.$eval('[data-testid=invite-qr]', (svg) => ({
      modules: Number(svg.getAttribute('data-modules')),
      rects: svg.querySelectorAll('rect').length,
      tag: svg.tagName,
    }));
    expect(qr.tag).toBe('svg');
    expect(qr.modules).toBeGreaterThan(21);
    expect(qr.rects).toBeGreaterThan(qr.modules);
    expect(await ana.$eval('[data-testid=invite-copy]', (el) => el.tagName)).toBe('BUTTON');
  });

  it('[HOM5][INV2] Ben accepts with the keyboard; Ana’s invite then shows as used, and pasting it again says so', async () => {
    const ben = panels.Ben;
    await tabTo(ben, '[data-testid=invite-input]');
    await ben.keyboard.type(inviteCode);
    await ben.keyboard.press('Enter');
    await ben.waitForFunction(
      () =>
        document.querySelector('[data-testid=pair-result]')?.textContent?.includes('Ana is now a contact'),
      { timeout: 30_000 },
    );
    await panels.Ana.waitForSelector('[data-testid=invite-state][data-state=used]', { timeout: 30_000 });
    expect(await panels.Ana.$eval('[data-testid=invite-state]', (el) => el.textContent)).toContain(
      'Used by Ben',
    );

    await tabTo(ben, '[data-testid=invite-input]');
    await ben.keyboard.type(inviteCode);
    await ben.keyboard.press('Enter');
    await ben.waitForFunction(
      () =>
        document
          .querySelector('[data-testid=pair-result]')
          ?.textContent?.includes('You already used this invite'),
      { timeout: 20_000 },
    );
    expect(await ben.$eval('[data-testid=pair-result]', (el) => el.textContent)).toBe(
      'You already used this invite: Ana is your contact.',
    );
    // An invite link opens the side panel with the code filled in.
    const opened = await agents.Ben.browser.newPage();
    await opened.goto(
      await panels.Ana.$eval('[data-testid=invite-link]', (el) => (el as HTMLAnchorElement).href),
    );
    await opened.waitForSelector('[data-testid=invite-input]');
    expect(await opened.$eval('[data-testid=invite-input]', (el) => (el as HTMLInputElement).value)).toBe(
      inviteCode,
    );
    await opened.close();
  });

  it('[HOM5][HOM1][HOM2] Ana finds a time with the keyboard, both approve with Tab and Enter, and each side panel tells what happened', async () => {
    const ana = panels.Ana;
    const box = '[data-testid=find-time-contact][data-name="Ben"]';
    await tabTo(ana, box);
    await ana.keyboard.press('Space');
    await tabTo(ana, 'input[name=title]');
    await ana.keyboard.type('Keyboard sync');
    await tabTo(ana, '[data-testid=find-time-submit]');
    await ana.keyboard.press('Enter');
    await approveWithKeyboardUntil('Keyboard sync', (o) => o.every((x) => x === 'booked'));

    const anaSide = await meeting(ana, 'Keyboard sync');
    expect(anaSide.kind).toBe('booked');
    expect(anaSide.story).toMatch(
      /^Ben’s agent offered \d+ times? (on \w+|today|tomorrow|between .+); you proposed .+ at \d\d?:\d\d( [AP]M)?; Ben accepted\.$/,
    );
    expect(anaSide.told).toMatch(/^Booked for .+ at \d\d?:\d\d( [AP]M)?\.$/);
    const benSide = await meeting(panels.Ben, 'Keyboard sync');
    expect(benSide.story).toMatch(
      /^Ana’s agent asked for 30 minutes; you shared \d+ times? .+; Ana proposed .+ at \d\d?:\d\d( [AP]M)?; you accepted\.$/,
    );
    // Both tell the same booked time.
    expect(benSide.told).toBe(anaSide.told);
    await ana.screenshot({ path: '/tmp/ui-b-home-ana.png', fullPage: true });
  });

  it('[HOM3] the activity log lists what Ben’s agent shared, with whom and when, and filters by kind and contact', async () => {
    const ben = panels.Ben;
    await ben.waitForSelector('[data-testid=activity-item][data-kind=disclosed]');
    const shared = await ben.$eval(
      '[data-testid=activity-item][data-kind=disclosed]',
      (el) => el.textContent ?? '',
    );
    expect(shared).toMatch(/Shared \d+ times? you are free with Ana/);
    expect(shared).toContain('Keyboard sync');
    // CNV6: the meeting hours told in round 1 read as hours, not as "0 times you are free".
    const disclosed = await ben.$$eval('[data-testid=activity-item][data-kind=disclosed]', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    expect(disclosed.some((line) => /^Told Ana your meeting hours: .*\d/.test(line))).toBe(true);
    expect(disclosed.join('\n')).not.toMatch(/Shared 0 times/);
    const kinds = () =>
      ben.$$eval('[data-testid=activity-item]', (els) => els.map((e) => e.getAttribute('data-kind')));
    expect(await kinds()).toEqual(expect.arrayContaining(['disclosed', 'accepted']));

    await tabTo(ben, '[data-testid=activity-kind]');
    await ben.select('[data-testid=activity-kind]', 'decisions');
    await ben.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=activity-item]')].every(
        (e) => e.getAttribute('data-kind') === 'accepted',
      ),
    );
    expect((await kinds()).length).toBeGreaterThan(0);
    await ben.select('[data-testid=activity-kind]', 'all');
    const anaId = (await rpc(ben, 'contacts.list', {})).output[0].agentId as string;
    await ben.select('[data-testid=activity-contact]', anaId);
    expect((await kinds()).length).toBeGreaterThan(0);
    await ben.select('[data-testid=activity-kind]', 'model');
    await ben.waitForSelector('[data-testid=activity-empty]');
    await ben.select('[data-testid=activity-kind]', 'all');
    await ben.select('[data-testid=activity-contact]', '');
    await ben.screenshot({ path: '/tmp/ui-b-home-ben.png', fullPage: true });
  });

  it('[HOM2][HOM4] a decline is told as declined by Ben, not as “no time”; the popup shows the pending approval inline', async () => {
    const ana = panels.Ana;
    await tabTo(ana, '[data-testid=find-time-contact][data-name="Ben"]');
    await ana.keyboard.press('Space');
    await tabTo(ana, 'input[name=title]');
    await ana.keyboard.type('Declined idea');
    await tabTo(ana, '[data-testid=find-time-submit]');
    await ana.keyboard.press('Enter');
    // Ben's popup: status at a glance and the approval with its buttons.
    const popup = await agents.Ben.open('popup');
    await popup.waitForSelector('[data-testid=status-relay][data-state=connected]');
    await popup.waitForSelector('[data-testid=status-calendar] [data-testid=calendar-line]');
    await popup.waitForSelector('[data-testid=status-model] [data-testid=assistant-provider]');
    const decline = '[data-testid=approval][data-title="Declined idea"] [data-testid=decline]';
    await popup.waitForSelector(decline, { timeout: 30_000 });
    await popup.screenshot({ path: '/tmp/ui-b-popup-approval.png' });
    await tabTo(popup, decline);
    await popup.keyboard.press('Enter');
    await popup.close();
    await ana.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=negotiation]')].some(
          (n) =>
            n.textContent?.includes('Declined idea') &&
            n.querySelector('[data-testid=negotiation-outcome]')?.getAttribute('data-kind') === 'declined',
        ),
      { timeout: 30_000 },
    );
    expect((await meeting(ana, 'Declined idea')).told).toBe('Declined by Ben.');
  });

  it('[CLR3] a message over the size limit is refused before sending, saying by how much', async () => {
    const ana = panels.Ana;
    await tabTo(ana, '[data-testid=contact][data-status=paired]');
    await ana.keyboard.press('Enter');
    await ana.waitForSelector('[data-testid=composer]');
    // 4,010 characters arrive as one paste.
    await ana.$eval('[data-testid=composer]', (el) => {
      const input = el as HTMLInputElement;
      input.value = 'x'.repeat(4010);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const note = await ana.waitForSelector('[data-testid=composer-too-long]');
    expect(await note!.evaluate((e) => e.textContent)).toMatch(
      /4,010 characters; one message holds at most 4,000\. Shorten it by 10/,
    );
    expect(await ana.$eval('[data-testid=send]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
  });

  it('[HOM5][PAL1][PAL3][PAL4] with no mouse: the shortcut’s command handler opens the palette, Ana asks it for a time with Ben, both approve with Tab and Enter', async () => {
    // The shortcut (Alt+Shift+P) cannot be pressed headless: its `commands.onCommand` event is dispatched in
    // the service worker, which runs every listener the extension registered, as the keys would.
    const target = await agents.Ana.browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    );
    await (await target.worker())!.evaluate(() =>
      (globalThis as any).chrome.commands.onCommand.dispatch('open-palette'),
    );
    const palette = (await (
      await agents.Ana.browser.waitForTarget((t) => t.url().endsWith('/palette.html'))
    ).page())!;
    // The focus is in its input at once: the keys go there.
    await palette.waitForFunction(
      () => document.activeElement?.getAttribute('data-testid') === 'palette-input',
    );
    await palette.keyboard.type('find 30 minutes with Ben next week');
    await palette.keyboard.press('ArrowUp'); // the last row: Ask your agent
    await palette.keyboard.press('Enter');
    await palette.waitForSelector('[data-testid=palette-reply] [data-testid=palette-proposal]', {
      timeout: 30_000,
    });
    await palette.waitForFunction(
      () => document.activeElement?.getAttribute('data-testid') === 'palette-confirm',
    );
    await palette.keyboard.press('Enter');
    await palette.waitForSelector('[data-testid=palette-done]', { timeout: 30_000 });
    await palette.keyboard.press('Escape').catch((error: Error) => {
      if (!/Target closed|Session closed/.test(error.message)) throw error;
    });
    await approveWithKeyboardUntil('Meeting with Ben', (o) => o.every((x) => x === 'booked'));
    expect((await meeting(panels.Ana, 'Meeting with Ben')).kind).toBe('booked');
  });
});
