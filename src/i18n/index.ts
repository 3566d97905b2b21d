import { browser } from 'wxt/browser';
import type english from '../../assets/public/_locales/en/messages.json';

/**
 * [I18N1] Every string the person reads comes from the extension's locale files
 * (`assets/public/_locales/<lang>/messages.json`) through `browser.i18n`, in the browser's language, with
 * English as the default locale. `t('key', …values)` fills the message's placeholders (`$NAME$` whose
 * content is `$1`…`$9`) with the values, in order. Keys are typed from the English catalog, so a missing
 * key is a type error; `tests/unit/i18n.test.ts` keeps every other locale complete.
 *
 * Outside an extension (unit tests, the Node scripts that render surfaces) there is no `browser.i18n`:
 * `useCatalog` installs a catalog read from those same files, rendered by the same rules as Chrome's.
 */
export type MessageKey = keyof typeof english;

export interface CatalogEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}
export type Catalog = Record<string, CatalogEntry>;

type Lookup = (key: string, values: string[]) => string;

const fromBrowser: Lookup = (key, values) => {
  // `browser` is undefined outside an extension; getMessage answers '' for a key it does not know.
  const i18n = (browser as typeof browser | undefined)?.i18n;
  // The typings know only the predefined `@@` messages; the catalog's own keys are plain strings.
  return i18n?.getMessage(key as '@@ui_locale', values) ?? '';
};

let lookup: Lookup = fromBrowser;

/** The person's words for `key`, its placeholders filled with `values` in order. */
export function t(key: MessageKey, ...values: Array<string | number>): string {
  // A key no catalog holds shows as itself rather than as nothing: visible, and caught by the tests.
  return lookup(key, values.map(String)) || key;
}

/** Renders from `catalog` instead of `browser.i18n` (tests and Node); `undefined` goes back to the browser. */
export function useCatalog(catalog: Catalog | undefined): void {
  lookup = catalog ? (key, values) => render(catalog[key], values) : fromBrowser;
}

/** Chrome's rules: `$name$` is the placeholder's content, where `$1`…`$9` are the values; `$$` is `$`. */
export function render(entry: CatalogEntry | undefined, values: string[]): string {
  if (!entry) return '';
  const fill = (text: string) => text.replace(/\$(\d)/g, (_, n: string) => values[Number(n) - 1] ?? '');
  const placeholders = Object.fromEntries(
    Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]),
  );
  return entry.message
    .replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
      const content = placeholders[name.toLowerCase()];
      return content === undefined ? whole : fill(content);
    })
    .replace(/\$\$/g, '$');
}

/** The language the pages are written in now (the `lang` attribute), e.g. `de`. */
export function uiLanguage(): string {
  const i18n = (browser as typeof browser | undefined)?.i18n;
  return i18n?.getUILanguage?.() ?? 'en';
}
