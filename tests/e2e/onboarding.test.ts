import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRelay, type Relay } from '../../relay/server';
import { type Catalog, render } from '../../src/ui/i18n';
import {
  CHROME_EXTENSION,
  CHROMIUM,
  PASSPHRASE,
  QUIET_FLAGS,
  ROOT,
  ensureBuilt,
  makeProfileDir,
  removeProfileDir,
  rpc,
  setInput,
} from './harness';

/**
 * The first run from a fresh profile, as a new person meets it: what Parley is and a passphrase, then their
 * name (with the browser's time zone and language as defaults), the relay (checked: a wrong address says why),
 * the calendar and the model — each step skippable, the run resumable after the popup closes.
 */
const profile = makeProfileDir('onboarding');
let relay: Relay;
let relayUrl: string;
let browser: Browser;
let extensionId: string;

beforeAll(async () => {
  ensureBuilt();
  relay = createRelay();
  ({ url: relayUrl } = await relay.listen(0));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    userDataDir: profile,
    enableExtensions: [CHROME_EXTENSION],
    // A person in Berlin whose browser speaks German: the defaults must come from here, not UTC/en.
    env: { ...process.env, TZ: 'Europe/Berlin', LANG: 'de_DE.UTF-8', LANGUAGE: 'de' },
    args: [...QUIET_FLAGS, '--lang=de-DE'],
  });
  const worker = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    { timeout: 30_000 },
  );
  extensionId = new URL(worker.url()).host;
});

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  removeProfileDir(profile);
});

async function popup(): Promise<Page> {
  const page = await browser.newPage();
  // The language this browser's person reads (headless Chromium ignores --lang for pages).
  await (await page.createCDPSession()).send('Emulation.setLocaleOverride', { locale: 'de-DE' });
  await page.goto(`chrome-extension://${extensionId}/popup.html`);
  return page;
}

/** The words of the catalog the page is written in (its `lang`, I18N5): this browser speaks German. */
async function wordsOf(page: Page) {
  const lang = (await page.evaluate(() => document.documentElement.lang)).split('-')[0]!;
  const file = path.join(ROOT, 'assets/public/_locales', lang, 'messages.json');
  const catalog = JSON.parse(readFileSync(file, 'utf8')) as Catalog;
  return (key: string, ...values: string[]) => render(catalog[key], values);
}

const step = (page: Page) =>
  page
    .waitForSelector('[data-testid=onboarding]')
    .then((el) => el!.evaluate((e) => e.getAttribute('data-step')));

describe('the first run', () => {
  it('[ONB1][ONB3] a fresh profile is guided: what Parley is, a passphrase, then the name with the browser’s time zone and language', async () => {
    const page = await popup();
    await page.waitForSelector('[data-testid=setup-form]', { timeout: 30_000 });
    const words = await wordsOf(page);
    const welcome = await page.$eval('[data-testid=onboarding-welcome]', (el) => el.textContent ?? '');
    expect(welcome).toContain(words('onboardingWhatIsParley'));
    expect(await page.$eval('[data-testid=onboarding-steps]', (el) => el.textContent)).toContain(
      words('onboardingStepOf', '1', '5'),
    );
    await page.type('input[name=passphrase]', PASSPHRASE);
    await page.type('input[name=confirm]', PASSPHRASE);
    await page.click('[data-testid=passphrase-submit]');

    expect(await step(page)).toBe('name');
    expect(
      await page.$eval('[data-testid=onboarding-timezone]', (el) => (el as HTMLInputElement).value),
    ).toBe('Europe/Berlin');
    expect(
      await page.$eval('[data-testid=onboarding-locale]', (el) => el.getAttribute('data-locale')),
    ).toMatch(/^de/);
    await page.screenshot({ path: '/tmp/ui-b-onboarding-name.png' });
    await setInput(page, 'input[name="onboarding.displayName"]', 'Dana Whitfield');
    await page.click('[data-testid=onboarding-next]');
    // Saving takes a moment: the next step appears once the name is stored.
    await page.waitForSelector('[data-testid=onboarding][data-step=relay]', { timeout: 20_000 });
    expect((await rpc(page, 'settings.get', {})).output.displayName).toBe('Dana Whitfield');
    expect((await rpc(page, 'preferences.get', {})).output.timeZone).toBe('Europe/Berlin');
    await page.close();
  });

  it('[CLR2][ONB1] the relay step checks the address: malformed, nothing listening and a working relay each answer differently', async () => {
    const page = await popup();
    expect(await step(page)).toBe('relay');
    const problemFor = async (address: string) => {
      await setInput(page, 'input[name="onboarding.relayUrl"]', address);
      await page.click('[data-testid=onboarding-next]');
      const el = await page.waitForSelector('[data-testid=relay-check-problem]', { timeout: 20_000 });
      const shown = await el!.evaluate((e) => ({
        problem: e.getAttribute('data-problem'),
        text: e.textContent ?? '',
      }));
      await page.$eval('[data-testid=relay-check-problem]', (e) => e.remove());
      return shown;
    };
    const malformed = await problemFor('relay example org');
    expect(malformed.problem).toBe('malformed');
    expect(malformed.text).toContain('wss://relay.example.org');
    const closed = await problemFor('ws://127.0.0.1:1');
    expect(closed).toEqual({
      problem: 'unreachable',
      text: 'Nothing answered at 127.0.0.1:1. Check the address for typos, that the relay is running, and that you are online.',
    });
    await page.screenshot({ path: '/tmp/ui-b-onboarding-relay.png' });
    // The settings are untouched until an address answers.
    expect((await rpc(page, 'settings.get', {})).output.relayUrl).not.toBe('ws://127.0.0.1:1');
    await setInput(page, 'input[name="onboarding.relayUrl"]', relayUrl);
    await page.click('[data-testid=onboarding-next]');
    await page.waitForSelector('[data-testid=onboarding][data-step=calendar]', { timeout: 20_000 });
    expect((await rpc(page, 'settings.get', {})).output.relayUrl).toBe(relayUrl);
    await page.close();
  });

  it('[ONB2] closing the popup keeps the step reached; each step and the rest can be skipped', async () => {
    const page = await popup();
    // Resumed where it was left, not from the start.
    expect(await step(page)).toBe('calendar');
    // The calendar step offers Google, an .ics file and a secret address.
    await page.waitForSelector('[data-testid=onboarding] [data-testid=ics-file]');
    await page.waitForSelector('[data-testid=onboarding] [data-testid=ics-subscribe]');
    await page.click('[data-testid=onboarding-next-skip]');
    await page.waitForSelector('[data-testid=onboarding][data-step=model] input[name=provider]');
    const choices = await page.$$eval('[data-testid=onboarding] input[name=provider]', (els) =>
      els.map((e) => (e as HTMLInputElement).value),
    );
    expect(choices).toEqual(['builtin', 'openai', 'on-device']);
    await page.click('[data-testid=onboarding-next]');
    // Finished: the popup is the agent's status, relay connected.
    await page.waitForSelector('[data-testid=status-relay][data-state=connected]', { timeout: 30_000 });
    expect((await rpc(page, 'onboarding.get', {})).output).toEqual({ step: 'done' });
    await page.screenshot({ path: '/tmp/ui-b-popup-status.png' });
    await page.close();
  });

  it('[CLR1] a malformed address typed in settings says what is expected, never the field’s code name', async () => {
    const page = await browser.newPage();
    await page.goto(`chrome-extension://${extensionId}/options.html`);
    await page.waitForSelector('input[name=relayUrl]');
    await page.waitForFunction(
      () => (document.querySelector('input[name=relayUrl]') as HTMLInputElement).value !== '',
    );
    await setInput(page, 'input[name=relayUrl]', 'relay example org');
    await page.click('[data-testid=settings-save]');
    const error = await page.waitForSelector('[data-testid=error]');
    const text = await error!.evaluate((e) => e.textContent ?? '');
    expect(text).toMatch(/^Relay address: use the full address .* wss:\/\/relay\.example\.org\.$/);
    expect(text).not.toMatch(/relayUrl|Invalid URL/);
    await page.close();
  });
});
