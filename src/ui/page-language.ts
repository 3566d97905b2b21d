import { browser } from 'wxt/browser';
import { uiLanguage } from './i18n';

/**
 * The page says which language it is written in (I18N5): `lang` from the browser's UI language, whose catalog
 * the words come from, and `dir` from the catalog's own `@@bidi_dir` (`rtl` for Arabic or Hebrew), so screen
 * readers pronounce it right and a right-to-left language lays out from the right.
 */
export function setPageLanguage(root: HTMLElement = document.documentElement): void {
  root.lang = uiLanguage();
  const dir = (browser as typeof browser | undefined)?.i18n?.getMessage('@@bidi_dir');
  root.dir = dir === 'rtl' ? 'rtl' : 'ltr';
}
