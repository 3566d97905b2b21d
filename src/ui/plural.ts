import type { MessageKey } from './i18n';
import { catalogLanguage } from './page-language';

/**
 * The key for `n` things in the page's language (I18N1): the language's singular form (`…One`) or its
 * plural (`…Other`), chosen by `Intl.PluralRules`, never by `n === 1` (other languages count differently).
 */
export function plural(n: number, one: MessageKey, other: MessageKey): MessageKey {
  return new Intl.PluralRules(catalogLanguage()).select(n) === 'one' ? one : other;
}
