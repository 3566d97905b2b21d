import { t } from './i18n';

/**
 * The language the words are in: the catalog's own tag (`localeTag`: `de`, `en`). Neither
 * `getUILanguage()` nor `@@ui_locale` says it reliably: a headless Chromium on Linux answers `en-US`
 * in the page while it renders the `de` catalog it picked from the environment (`LANGUAGE=de`).
 */
export const catalogLanguage = (): string => {
  const tag = t('localeTag');
  // Outside an extension with no catalog installed, t() answers the key itself.
  return tag === 'localeTag' ? 'en' : tag;
};

/**
 * The page says which language it is written in (I18N5): `lang` and `dir` from the catalog its words come
 * from, so screen readers pronounce it right and a right-to-left language lays out from the right.
 */
export function setPageLanguage(root: HTMLElement = document.documentElement): void {
  root.lang = catalogLanguage();
  root.dir = t('localeDir') === 'rtl' ? 'rtl' : 'ltr';
}
