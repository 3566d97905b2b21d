import { type MessageKey, uiLanguage } from './i18n';

/**
 * The key for `n` things in the page's language (I18N1): the language's singular form (`…One`) or its
 * plural (`…Other`), chosen by `Intl.PluralRules`, never by `n === 1` (other languages count differently).
 */
export function plural(n: number, one: MessageKey, other: MessageKey): MessageKey {
  return new Intl.PluralRules(uiLanguage()).select(n) === 'one' ? one : other;
}
