import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_EXTENSION, PASSPHRASE, ROOT, ensureBuilt, setInput } from './harness';

/**
 * Firefox ESR with the Firefox build (docs/protocol.md FFX1, docs/protocol/accessibility.md FFX2–3): it
 * installs, declares the side panel as its sidebar, and its background answers the sidebar page.
 *
 * Firefox refuses `page.goto('moz-extension://…')` from automation unless the browser is started with
 * `--remote-allow-system-access` (../shared/RECIPES.md); the sidebar itself is browser chrome that WebDriver
 * BiDi does not list. So the test opens the sidebar's page (the manifest's `sidebar_action.default_panel`) in a
 * tab of a throwaway profile started with that flag: the same page, the same background, the same RPC. That
 * `goto` never settles (extension pages send no navigation-finished event): it is started, not awaited, and
 * the test waits for the page's content instead.
 */
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const EXTENSION = path.join(ROOT, '.output/firefox-mv3');
const GECKO_ID = 'parley@parley.dev';
/** Fixed so the test knows the extension's origin (`extensions.webextensions.uuids`). */
const UUID = '5b0f3c2e-7d1a-4c8e-9f6b-2a4d8e1c0b7f';
const profile = mkdtempSync(path.join(tmpdir(), 'parley-firefox-'));
let browser: Browser | undefined;

const manifest = () => JSON.parse(readFileSync(path.join(EXTENSION, 'manifest.json'), 'utf8'));

beforeAll(() => {
  if (process.env.PARLEY_SKIP_BUILD === '1' && existsSync(path.join(EXTENSION, 'manifest.json'))) return;
  execFileSync('npx', ['wxt', 'build', '-b', 'firefox', '--mv3'], { cwd: ROOT, stdio: 'ignore' });
});

afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
});

describe('Firefox', () => {
  it('[FFX1] Firefox ESR installs the Firefox build under its gecko id', async () => {
    const built = manifest();
    expect(built.browser_specific_settings.gecko.id).toBe(GECKO_ID);
    expect(built.background.scripts).toEqual(['background.js']);
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      userDataDir: profile,
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }) },
    });
    expect(await browser.installExtension(EXTENSION)).toBe(GECKO_ID);
    // A broken build (say, a manifest Firefox rejects) makes installExtension throw instead.
    await expect(browser.installExtension(path.join(ROOT, 'assets'))).rejects.toThrow();
  });

  it('[FFX2] the Firefox build’s sidebar is the side panel’s page; the Chrome build keeps its side panel', () => {
    const firefox = manifest();
    expect(firefox.sidebar_action).toMatchObject({
      default_panel: 'sidepanel.html',
      default_title: 'Parley',
    });
    expect(existsSync(path.join(EXTENSION, firefox.sidebar_action.default_panel))).toBe(true);
    expect(firefox.side_panel).toBeUndefined();
    expect(firefox.permissions).not.toContain('sidePanel');
    ensureBuilt();
    const chrome = JSON.parse(readFileSync(path.join(CHROME_EXTENSION, 'manifest.json'), 'utf8'));
    expect(chrome.side_panel).toEqual({ default_path: 'sidepanel.html' });
    expect(chrome.permissions).toContain('sidePanel');
    expect(chrome.sidebar_action).toBeUndefined();
  });

  it('[FFX3] in Firefox ESR the background answers the sidebar page: first run, passphrase, unlocked panel', async () => {
    expect(browser, 'FFX1 installs the extension first').toBeDefined();
    const sidebar = `moz-extension://${UUID}/${manifest().sidebar_action.default_panel}`;
    const page: Page = await browser!.newPage();
    // Never settles for an extension page (see above); a failure shows as the missing form below.
    page.goto(sidebar).catch(() => undefined);
    // The first-run form appears only once the background has answered the page's `status.get`.
    // A wait that started on about:blank is cut ("Waiting failed") when the page moves to the sidebar's
    // document: wait again, once, on the new document. A real timeout still fails.
    try {
      await page.waitForSelector('[data-testid=setup-form]', { timeout: 60_000 });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw error;
      await page.waitForSelector('[data-testid=setup-form]', { timeout: 60_000 });
    }
    expect(await page.evaluate(() => location.href)).toBe(sidebar);
    await setInput(page, 'input[name=passphrase]', PASSPHRASE);
    await setInput(page, 'input[name=confirm]', PASSPHRASE);
    await page.click('[data-testid=passphrase-submit]');
    // The guided first run follows the passphrase (ONB1); skipping it shows the agent's home.
    await page.waitForSelector('[data-testid=onboarding-skip]', { timeout: 60_000 });
    await page.click('[data-testid=onboarding-skip]');
    await page.waitForSelector('[data-testid=relay-status]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid=command-input]');

    // The page's own RPC, as the UI calls it (browser.runtime.sendMessage in Firefox).
    const status = await page.evaluate(() =>
      (globalThis as any).browser.runtime.sendMessage({
        kind: 'parley/rpc',
        id: crypto.randomUUID(),
        method: 'status.get',
        input: {},
      }),
    );
    expect(status).toMatchObject({ ok: true, output: { lock: 'unlocked' } });
    expect(status.output.agent.fingerprint).toMatch(/\S/);
  });
});
