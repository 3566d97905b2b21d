import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './harness';

/**
 * Firefox smoke test: real Firefox ESR accepts and installs the Firefox build
 * (it validates the manifest, the gecko id and the background declaration).
 *
 * What this cannot show yet: that the background runs. Firefox refuses
 * `page.goto('moz-extension://…')` from automation (WebDriver BiDi: "navigation
 * … is not allowed in this context"), and a tab the extension opened itself on
 * install (tried with `runtime.openOptionsPage` and `tabs.create`) did not appear
 * among puppeteer's targets. The issue note says so; the Chromium suites cover
 * the runtime itself.
 */
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const EXTENSION = path.join(ROOT, '.output/firefox-mv3');
const GECKO_ID = 'parley@parley.dev';
const profile = mkdtempSync(path.join(tmpdir(), 'parley-firefox-'));
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
});

describe('Firefox', () => {
  it('[FFX1] Firefox ESR installs the Firefox build under its gecko id', async () => {
    const manifest = JSON.parse(readFileSync(path.join(EXTENSION, 'manifest.json'), 'utf8'));
    expect(manifest.browser_specific_settings.gecko.id).toBe(GECKO_ID);
    expect(manifest.background.scripts).toEqual(['background.js']);
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      userDataDir: profile,
    });
    expect(await browser.installExtension(EXTENSION)).toBe(GECKO_ID);
    // A broken build (say, a manifest Firefox rejects) makes installExtension throw instead.
    await expect(browser.installExtension(path.join(ROOT, 'assets'))).rejects.toThrow();
  });
});
