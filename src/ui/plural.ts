import { t, uiLanguage, type MessageKey } from './i18n';

/**
 * [I18N21] A count in words: `one` or `other` as the UI language's plural rules choose for `count`
 * (`Intl.PluralRules`), each a whole message with the count as its first placeholder (`more` fill the next ones). Languages with
 * more forms fall back to `other`, which every catalog holds.
 */
export function plural(
  count: number,
  keys: { one: MessageKey; other: MessageKey },
  ...more: Array<string | number>
): string {
  return t(pluralKey(count, keys), count, ...more);
}

/** Which of the two keys the UI language's plural rules choose for `count`. */
export function pluralKey(
  count: number,
  keys: { one: MessageKey; other: MessageKey },
  language = uiLanguage(),
): MessageKey {
  return new Intl.PluralRules(language).select(count) === 'one' ? keys.one : keys.other;
}
