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

describe('accessibility', () => {
  it('[A11Y1] the popup at first run, locked and unlocked has no serious or critical axe violation, light and dark', async () => {
    const popup = await open('popup');
    await popup.waitForSelector('[data-testid=setup-form]', { timeout: 30_000 });
    await expectNoSeriousViolations(popup, 'popup, first run');

    await setInput(popup, 'input[name=passphrase]', PASSPHRASE);
    await setInput(popup, 'input[name=confirm]', PASSPHRASE);
    await popup.click('[data-testid=passphrase-submit]');
    await popup.waitForSelector('[data-testid=fingerprint]', { timeout: 30_000 });
    await expectNoSeriousViolations(popup, 'popup, unlocked');

    await popup.click('[data-testid=lock]');
    await popup.waitForSelector('[data-testid=unlock-form]');
    await expectNoSeriousViolations(popup, 'popup, locked');
    await setInput(popup, 'input[name=passphrase]', PASSPHRASE);
    await popup.click('[data-testid=passphrase-submit]');
    await popup.waitForSelector('[data-testid=fingerprint]', { timeout: 30_000 });
    await popup.close();
  });

  it('[A11Y1] the side panel with a conversation and an invite, and the options page, have no serious or critical axe violation, light and dark', async () => {
    const panel = await open('sidepanel');
    await panel.waitForSelector('[data-testid=command-input]', { timeout: 30_000 });
    await setInput(panel, '[data-testid=command-input]', 'what is on my calendar tomorrow?');
    await panel.click('[data-testid=command-submit]');
    await panel.waitForSelector('[data-testid=command-reply]', { timeout: 30_000 });
    await panel.click('[data-testid=create-invite]');
    await panel.waitForSelector('[data-testid=invite-code]');
    await expectNoSeriousViolations(panel, 'side panel');
    await panel.close();

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
    await expectNoSeriousViolations(options, 'options');
    await options.close();
  });
});
