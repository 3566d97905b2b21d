import { browser } from 'wxt/browser';
import { uiLanguage } from './i18n';

type I18n = typeof browser.i18n | undefined;
const i18n = (): I18n => (browser as typeof browser | undefined)?.i18n;

/**
 * The language of the catalog the words come from, as a BCP 47 tag (`de`, `en-US`): Chrome's `@@ui_locale`.
 * Not `getUILanguage()`: a headless Chromium on Linux answers `en-US` there while it picks the `de` catalog
 * from the environment (`LANGUAGE=de`), and the page's `lang` must name the language it is written in.
 */
export function catalogLanguage(): string {
  const locale = i18n()?.getMessage('@@ui_locale');
  return locale ? locale.replace('_', '-') : uiLanguage();
}

/**
 * The page says which language it is written in (I18N5): `lang` from the catalog its words come from, and
 * `dir` from the catalog's own `@@bidi_dir` (`rtl` for Arabic or Hebrew), so screen readers pronounce it
 * right and a right-to-left language lays out from the right.
 */
export function setPageLanguage(root: HTMLElement = document.documentElement): void {
  root.lang = catalogLanguage();
  root.dir = i18n()?.getMessage('@@bidi_dir') === 'rtl' ? 'rtl' : 'ltr';
}
