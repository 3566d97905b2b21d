import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  CHROME_EXTENSION,
  PASSPHRASE,
  QUIET_FLAGS,
  ensureBuilt,
  makeProfileDir,
  removeProfileDir,
  setInput,
  unlock,
  waitFor,
} from './harness';

/**
 * Accessibility of every extension page (docs/protocol/accessibility.md, A11Y*): axe-core in a real
 * Chromium with the built extension, in light and dark, plus what axe cannot see (focus rings, live
 * regions, text direction, wrapping, folded settings).
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SCHEMES = ['light', 'dark'] as const;
type Scheme = (typeof SCHEMES)[number];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page. The source goes in through the DevTools protocol (`page.evaluate` of a
 * string), which the extension's CSP (`script-src 'self'`) does not apply to; a <script> tag would be
 * refused.
 */
async function axe(page: Page, scheme: Scheme): Promise<AxeViolation[]> {
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as any).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations as AxeViolation[];
  });
  return violations.map(({ id, impact, help, nodes }) => ({
    id,
    impact,
    help,
    nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
  }));
}

/** Everything axe found, worst first; the test fails on serious or critical ones. */
const summary: Record<string, { id: string; impact: string | null; nodes: number }[]> = {};
async function expectNoSeriousViolations(page: Page, state: string): Promise<void> {
  for (const scheme of SCHEMES) {
    const violations = await axe(page, scheme);
    summary[`${state} (${scheme})`] = violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.length,
    }));
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect.soft(serious, `${state} in ${scheme}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
  }
}

const profile = makeProfileDir('a11y');
let browser: Browser;
let extensionId: string;
const open = async (name: 'popup' | 'sidepanel' | 'options'): Promise<Page> => {
  const page = await browser.newPage();
  await page.goto(`chrome-extension://${extensionId}/${name}.html`);
  return page;
};

beforeAll(async () => {
  ensureBuilt();
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    userDataDir: profile,
    enableExtensions: [CHROME_EXTENSION],
    args: QUIET_FLAGS,
  });
  const target = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    { timeout: 30_000 },
  );
  extensionId = new URL(target.url()).host;
});

afterAll(async () => {
  console.log(`axe violations by page and scheme:\n${JSON.stringify(summary, null, 1)}`);
  await browser?.close();
  removeProfileDir(profile);
});

/** Each test but the first-run one starts from an unlocked agent, whichever ran before it. */
async function unlocked(): Promise<void> {
  const popup = await open('popup');
  await unlock(popup);
  await popup.close();
}

/** [A11Y2] Fields with no label of their own: a placeholder or a title is not a label. */
const unlabelledFields = (page: Page) =>
  page.$$eval('input:not([type=hidden]), select, textarea', (fields) =>
    fields
      .filter(
        (f) =>
          !(f as HTMLInputElement).labels?.length &&
          !f.getAttribute('aria-label')?.trim() &&
          !f.getAttribute('aria-labelledby'),
      )
      .map((f) => f.outerHTML.slice(0, 120)),
  );

async function checkPage(page: Page, state: string): Promise<void> {
  await expectNoSeriousViolations(page, state);
  expect.soft(await unlabelledFields(page), `${state}: fields without a label`).toEqual([]);
}

/** The chat with the agent, in the side panel: asks, and waits for the agent's reply to that turn. */
async function ask(panel: Page, words: string): Promise<void> {
  const before = await panel.$$eval('[data-testid=chat-thread] > li[data-role]', (l) => l.length);
  await setInput(panel, '[data-testid=command-input]', words);
  await panel.click('[data-testid=command-submit]');
  await panel.waitForFunction(
    (n) =>
      document.querySelectorAll('[data-testid=chat-thread] > li[data-role=agent]').length > 0 &&
      document.querySelectorAll('[data-testid=chat-thread] > li[data-role]').length >= n + 2,
    { timeout: 30_000 },
    before,
  );
}

describe('accessibility', () => {
  it('[A11Y1] [A11Y2] the popup at first run, locked and unlocked: no serious or critical axe violation, light and dark; every field labelled', async () => {
    const popup = await open('popup');
    await popup.waitForSelector('[data-testid=setup-form]', { timeout: 30_000 });
    await checkPage(popup, 'popup, first run');

    await setInput(popup, 'input[name=passphrase]', PASSPHRASE);
    await setInput(popup, 'input[name=confirm]', PASSPHRASE);
    await popup.click('[data-testid=passphrase-submit]');
    // The guided first run (ONB1) follows the passphrase: checked too, then skipped.
    await popup.waitForSelector('[data-testid=onboarding-skip]', { timeout: 30_000 });
    await checkPage(popup, 'popup, guided first run');
    await popup.click('[data-testid=onboarding-skip]');
    await popup.waitForSelector('[data-testid=fingerprint]', { timeout: 30_000 });
    await checkPage(popup, 'popup, unlocked');

    await popup.click('[data-testid=lock]');
    await popup.waitForSelector('[data-testid=unlock-form]');
    await checkPage(popup, 'popup, locked');
    await setInput(popup, 'input[name=passphrase]', PASSPHRASE);
    await popup.click('[data-testid=passphrase-submit]');
    await popup.waitForSelector('[data-testid=fingerprint]', { timeout: 30_000 });
    await popup.close();
  });

  it('[A11Y1] [A11Y2] the side panel with a conversation and an invite: no serious or critical axe violation, light and dark; every field labelled', async () => {
    await unlocked();
    const panel = await open('sidepanel');
    await panel.waitForSelector('[data-testid=command-input]', { timeout: 30_000 });
    await ask(panel, 'what is on my calendar tomorrow?');
    await panel.click('[data-testid=create-invite]');
    await panel.waitForSelector('[data-testid=invite-code]');
    await checkPage(panel, 'side panel');
    await panel.close();
  });

  it('[A11Y1] [A11Y2] the options page, its notices shown and its folds open: no serious or critical axe violation, light and dark; every field labelled', async () => {
    await unlocked();
    const options = await open('options');
    await options.waitForSelector('[data-testid=preferences]', { timeout: 30_000 });
    await options.waitForSelector('[data-testid=assistant-settings]');
    // The notices after saving are part of the page's looks (the green "Saved" once failed contrast).
    await options.waitForFunction(
      () => (document.querySelector('input[name=relayUrl]') as HTMLInputElement | null)?.value,
    );
    await options.click('[data-testid=settings-save]');
    await options.click('[data-testid=preferences-save]');
    await options.waitForSelector('[data-testid=saved]');
    await options.waitForSelector('[data-testid=preferences-saved]');
    await checkPage(options, 'options');
    await options.$$eval('details', (all) => all.forEach((d) => (d.open = true)));
    await checkPage(options, 'options, folds open');
    await options.close();
  });

  it('[A11Y3] colours come from variables that dark mode swaps: a dark page with light text, a light page with dark text', async () => {
    await unlocked();
    const options = await open('options');
    await options.waitForSelector('[data-testid=preferences]', { timeout: 30_000 });
    const looks = async (scheme: Scheme) => {
      await options.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      return options.evaluate(() => {
        /** Relative luminance of an `rgb(r, g, b)` colour (WCAG). */
        const luminance = (css: string) => {
          const [r, g, b] = css
            .match(/\d+(\.\d+)?/g)!
            .slice(0, 3)
            .map((v) => Number(v) / 255)
            .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
          return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
        };
        const root = getComputedStyle(document.documentElement);
        const field = getComputedStyle(document.querySelector('input[name=timeZone]')!);
        return {
          page: luminance(root.backgroundColor),
          text: luminance(root.color),
          field: luminance(field.backgroundColor),
          fieldText: luminance(field.color),
        };
      });
    };
    const light = await looks('light');
    const dark = await looks('dark');
    expect(light.page).toBeGreaterThan(0.8);
    expect(light.text).toBeLessThan(0.05);
    expect(dark.page).toBeLessThan(0.05);
    expect(dark.text).toBeGreaterThan(0.7);
    // Fields follow too (no white box on a dark page).
    expect(dark.field).toBeLessThan(0.05);
    expect(dark.fieldText).toBeGreaterThan(0.7);
    await options.close();
  });

  it('[A11Y4] the keyboard focus shows a 2 px outline, light and dark', async () => {
    await unlocked();
    const popup = await open('popup');
    await popup.waitForSelector('[data-testid=command-input]', { timeout: 30_000 });
    for (const scheme of SCHEMES) {
      await popup.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await popup.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const seen: { tag: string; outline: string; visible: boolean }[] = [];
      for (let i = 0; i < 4; i++) {
        await popup.keyboard.press('Tab');
        seen.push(
          await popup.evaluate(() => {
            const el = document.activeElement as HTMLElement;
            const style = getComputedStyle(el);
            return {
              tag: el.tagName,
              outline: `${style.outlineStyle} ${style.outlineWidth}`,
              visible: el.matches(':focus-visible'),
            };
          }),
        );
      }
      expect(seen.filter((s) => s.tag !== 'BODY').length, scheme).toBeGreaterThan(0);
      for (const s of seen.filter((x) => x.tag !== 'BODY'))
        expect(s, scheme).toMatchObject({ outline: 'solid 2px', visible: true });
    }
    await popup.close();
  });

  it('[A11Y5] the agent’s replies are in a polite live region; each turn takes the direction of its own text', async () => {
    await unlocked();
    const panel = await open('sidepanel');
    await panel.waitForSelector('[data-testid=command-input]', { timeout: 30_000 });
    await ask(panel, 'מתי אני פנוי מחר?');
    await ask(panel, 'what is on my calendar tomorrow?');
    const turns = await panel.$$eval('[data-testid=chat-thread] > li[data-role]', (items) =>
      items.map((li) => ({
        role: li.getAttribute('data-role'),
        text: li.firstChild?.textContent ?? '',
        direction: getComputedStyle(li).direction,
        /** The time under a turn is its own run: "1:25 PM" never turns into "PM 1:25" under Hebrew. */
        timeDirection: li.querySelector('.meta') && getComputedStyle(li.querySelector('.meta')!).direction,
        live: li.closest('[aria-live]')?.getAttribute('aria-live') ?? null,
      })),
    );
    const hebrew = turns.find((t) => t.text.startsWith('מתי'));
    const english = turns.find((t) => t.text.startsWith('what is on'));
    expect(hebrew).toMatchObject({ role: 'person', direction: 'rtl', timeDirection: 'ltr' });
    expect(english).toMatchObject({ role: 'person', direction: 'ltr' });
    const replies = turns.filter((t) => t.role === 'agent');
    expect(replies.length).toBeGreaterThanOrEqual(2);
    for (const reply of replies) expect(reply.live).toBe('polite');
    await panel.close();

    // The popup's single reply is announced the same way.
    const popup = await open('popup');
    await popup.waitForSelector('[data-testid=command-input]', { timeout: 30_000 });
    await setInput(popup, '[data-testid=command-input]', 'what is on my calendar tomorrow?');
    await popup.click('[data-testid=command-submit]');
    await popup.waitForSelector('[data-testid=command-reply]', { timeout: 30_000 });
    expect(
      await popup.$eval('[data-testid=command-reply]', (el) =>
        el.closest('[aria-live]')?.getAttribute('aria-live'),
      ),
    ).toBe('polite');
    await popup.close();
  });

  it('[A11Y6] a long unbroken word wraps: nothing scrolls sideways in a narrow side panel', async () => {
    await unlocked();
    const panel = await open('sidepanel');
    await panel.setViewport({ width: 320, height: 640 });
    await panel.waitForSelector('[data-testid=command-input]', { timeout: 30_000 });
    const word = 'x'.repeat(300);
    await ask(panel, word);
    const widths = await panel.evaluate((w) => {
      const turn = [...document.querySelectorAll<HTMLElement>('[data-testid=chat-thread] > li')].find((li) =>
        li.textContent?.includes(w),
      )!;
      return {
        page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
        turn: [turn.scrollWidth, turn.clientWidth],
      };
    }, word);
    // …and wrapping never splits a one-word button ("As|k"): each stays on one line.
    const split = await panel.$$eval('button', (buttons) =>
      buttons
        .filter((b) => b.offsetParent && !/\s/.test(b.textContent!.trim()))
        .filter((b) => {
          const range = document.createRange();
          range.selectNodeContents(b);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
        })
        .map((b) => b.textContent),
    );
    expect(split).toEqual([]);
    expect(widths.page[0]).toBeLessThanOrEqual(widths.page[1]!);
    expect(widths.turn[0]).toBeLessThanOrEqual(widths.turn[1]!);
    await panel.close();
  });

  it('[A11Y7] the settings come in groups for people, and their advanced parts are folded', async () => {
    await unlocked();
    const options = await open('options');
    await options.waitForSelector('[data-testid=preferences]', { timeout: 30_000 });
    await options.waitForSelector('[data-testid=google-endpoints]');
    expect(
      await options.$$eval('[data-testid=settings-group] > h2', (h) => h.map((e) => e.textContent)),
    ).toEqual(['You and your agent', 'Scheduling', 'Privacy and data', 'Help']);
    const folded = await options.$$eval('details.advanced', (all) =>
      all.map((d) => ({
        open: d.open,
        fields: [...d.querySelectorAll('input')].map((i) => i.name),
      })),
    );
    expect(folded.every((d) => !d.open)).toBe(true);
    const hidden = folded.flatMap((d) => d.fields);
    for (const name of ['google.clientId', 'bufferMin', 'minimumNoticeMin', 'prune-days', 'delete-confirm'])
      expect(hidden).toContain(name);
    // What everyone needs stays in view.
    for (const name of ['displayName', 'relayUrl', 'timeZone', 'dayStart'])
      expect(hidden).not.toContain(name);
    await options.close();
  });

  it('[I18N22] the settings page is in its catalog’s language: its lang attribute, and its words from that catalog', async () => {
    await unlocked();
    const options = await open('options');
    await options.waitForSelector('[data-testid=preferences]', { timeout: 30_000 });
    const page = await options.evaluate(() => ({
      lang: document.documentElement.lang,
      // I18N5: the catalog's own tag; getUILanguage() may name another language than the catalog shown.
      catalog: (globalThis as any).chrome.i18n.getMessage('localeTag') as string,
      title: document.title,
      heading: document.querySelector('h1')?.textContent,
    }));
    expect(page.lang).toBe(page.catalog);
    expect(page.lang.toLowerCase()).toMatch(/^en/);
    expect(page.title).toBe('Parley settings');
    expect(page.heading).toBe('Parley settings');
    await options.close();
  });

  it('[A11Y8] times on the pages are in the person’s time zone from their preferences, not the browser’s', async () => {
    await unlocked();
    const options = await open('options');
    await options.waitForSelector('[data-testid=preferences]', { timeout: 30_000 });
    const zone = 'Pacific/Kiritimati'; // UTC+14: never the same hour as this browser's UTC.
    const preferences = await options.evaluate(() =>
      (globalThis as any).chrome.runtime.sendMessage({
        kind: 'parley/rpc',
        id: crypto.randomUUID(),
        method: 'preferences.get',
        input: {},
      }),
    );
    const saved = await options.evaluate(
      (input) =>
        (globalThis as any).chrome.runtime.sendMessage({
          kind: 'parley/rpc',
          id: crypto.randomUUID(),
          method: 'preferences.set',
          input,
        }),
      { ...preferences.output, timeZone: zone },
    );
    expect(saved.ok).toBe(true);
    const thread = await options.evaluate(() =>
      (globalThis as any).chrome.runtime.sendMessage({
        kind: 'parley/rpc',
        id: crypto.randomUUID(),
        method: 'assistant.thread',
        input: {},
      }),
    );
    const first = thread.output.turns[0] as { at: number };
    await options.close();

    const panel = await open('sidepanel');
    const locale = await panel.evaluate(() => navigator.language);
    const expected = (timeZone: string) =>
      new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone })
        .format(first.at)
        .replace(/\s/g, ' ');
    const shown = async () =>
      (
        await panel.$eval('[data-testid=chat-thread] > li[data-role] .meta', (el) => el.textContent ?? '')
      ).replace(/\s/g, ' ');
    await panel.waitForSelector('[data-testid=chat-thread] > li[data-role] .meta', { timeout: 30_000 });
    await waitFor(async () => (await shown()) === expected(zone), 10_000, 'the time in the person’s zone');
    expect(await shown()).not.toBe(expected('UTC'));
    await panel.close();
  });
});
