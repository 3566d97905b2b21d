import { t, type MessageKey } from './i18n';
import { catalogLanguage } from './page-language';

/**
 * [I18N21] A count in words: `one` or `other` as the page language's plural rules choose for `count`
 * (`Intl.PluralRules`, never `count === 1`: other languages count differently), each a whole message with
 * the count as its first placeholder (`more` fill the next ones). Languages with more forms fall back to
 * `other`, which every catalog holds.
 */
export function plural(
  count: number,
  keys: { one: MessageKey; other: MessageKey },
  ...more: Array<string | number>
): string {
  return t(pluralKey(count, keys), count, ...more);
}

/** Which of the two keys the page language's plural rules choose for `count`. */
export function pluralKey(
  count: number,
  keys: { one: MessageKey; other: MessageKey },
  language = catalogLanguage(),
): MessageKey {
  return new Intl.PluralRules(language).select(count) === 'one' ? keys.one : keys.other;
}
