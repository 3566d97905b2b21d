import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import type { browser } from 'wxt/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/ui/i18n';
import {
  type AgentBrowser,
  ROOT,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  removeProfileDir,
} from './harness';

/**
 * The side panel and the popup in a German browser (docs/protocol/i18n.md, I18N5): the built extension in a
 * real Chromium whose UI language is German. Chromium on Linux takes its UI language — the one
 * `chrome.i18n` picks a catalog for — from the environment (`LANGUAGE`), and `--lang` for the pages' own
 * `navigator.language`; both are set, as a German person's desktop would. The words expected are read
 * from the German catalog, never written here.
 */
const catalog = (lang: string) =>
  JSON.parse(
    readFileSync(path.join(ROOT, 'assets/public/_locales', lang, 'messages.json'), 'utf8'),
  ) as Catalog;
const de = catalog('de');
const en = catalog('en');
const german = (key: string) => de[key]!.message;

let profile: string;
let agent: AgentBrowser;

beforeAll(async () => {
  ensureBuilt();
  profile = makeProfileDir('i18n');
  agent = await launchAgent(profile, undefined, {
    env: { ...process.env, LANGUAGE: 'de', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
    args: ['--lang=de'],
  });
}, 120_000);

afterAll(async () => {
  await agent?.close();
  removeProfileDir(profile);
});

/** Everything a person reads or hears on the page: its text and its visible attributes. */
const wordsOn = (page: Page) =>
  page.evaluate(() => {
    const attributes = [...document.querySelectorAll('[aria-label], [placeholder], [title]')].flatMap((el) =>
      ['aria-label', 'placeholder', 'title'].map((a) => el.getAttribute(a) ?? ''),
    );
    // textContent: the words as written (innerText would upper-case a heading styled so).
    return [document.body.textContent ?? '', ...attributes].join('\n');
  });

/** A catalog key shown in place of its message (t() shows a key no catalog holds as itself). */
const leakedKeys = (text: string) => Object.keys(en).filter((key) => new RegExp(`\\b${key}\\b`).test(text));

describe('[I18N5] a German browser', () => {
  it('[I18N5] the extension’s UI language is German, and each page says so in its lang attribute', async () => {
    const panel = await agent.open('sidepanel');
    await panel.waitForSelector('[data-testid=needs-you]', { timeout: 30_000 });
    const language = await panel.evaluate(() => {
      const { i18n } = (globalThis as unknown as { chrome: typeof browser }).chrome;
      return {
        // The catalog Chrome picked for the extension: the one its messages come from.
        ui: i18n.getMessage('localeTag' as '@@ui_locale'),
        lang: document.documentElement.lang,
        dir: document.documentElement.dir,
      };
    });
    expect(language.ui).toBe('de');
    expect(language.lang).toMatch(/^de/);
    expect(language.dir).toBe('ltr');
    await panel.close();
  });

  it('[I18N5] the side panel shows the German catalog’s words, and no key in place of one', async () => {
    const panel = await agent.open('sidepanel');
    await panel.waitForSelector('[data-testid=needs-you]', { timeout: 30_000 });
    await panel.waitForSelector('[data-testid=activity]', { timeout: 30_000 });
    const text = await wordsOn(panel);
    for (const key of [
      'homeYourAgent',
      'meetingsNeedsYou',
      'meetingsNothingWaits',
      'meetingsTitle',
      'homeContacts',
      'homeInviteSomeone',
      'homeInvitePlaceholder',
      'homeConversations',
      'homeNoContacts',
      'homeSearch',
      'homeSearchPlaceholder',
      'activityTitle',
      'activityFilterAll',
      'activityAnyone',
      'commandAskLabel',
      'commandAskPlaceholder',
      'commandConversationLabel',
    ])
      expect(text, key).toContain(german(key));
    // The English words are gone where German ones stand.
    for (const key of ['homeInviteSomeone', 'meetingsNothingWaits', 'homeSearchPlaceholder'])
      expect(text, key).not.toContain(en[key]!.message);
    expect(leakedKeys(text)).toEqual([]);
    await panel.close();
  });

  it('[I18N5] the popup shows the German catalog’s words, and no key in place of one', async () => {
    const popup = await agent.open('popup');
    await popup.waitForSelector('[data-testid=status-lock]', { timeout: 30_000 });
    expect(await popup.evaluate(() => document.documentElement.lang)).toMatch(/^de/);
    const text = await wordsOn(popup);
    for (const key of ['popupUnlocked', 'popupLock', 'popupStatusLabel', 'popupOpenSidePanel', 'commandAsk'])
      expect(text, key).toContain(german(key));
    expect(text).toContain(german('popupContactsOther'));
    expect(leakedKeys(text)).toEqual([]);
    await popup.close();
  });
});
