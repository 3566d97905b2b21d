import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NOTICE_TEXT } from '../surfaces';
import { errorText, relayAccountProblem } from './components';
import { formatAgo } from './dates';
import { type Catalog, t, useCatalog } from './i18n';
import { plural, pluralKey } from './plural';

const catalogOf = (lang: string): Catalog =>
  JSON.parse(
    readFileSync(
      path.resolve(import.meta.dirname, `../../assets/public/_locales/${lang}/messages.json`),
      'utf8',
    ),
  ) as Catalog;
const english = catalogOf('en');
const german = catalogOf('de');

afterEach(() => useCatalog(undefined));

describe('the settings, notifications and layer in the person’s language', () => {
  it('[I18N20] an error shows the background’s message in English and its code’s translation in German', () => {
    useCatalog(german);
    const wrong = { code: 'wrong_passphrase', message: 'Wrong passphrase. Try again.' } as const;
    expect(errorText(wrong, 'en-US')).toBe('Wrong passphrase. Try again.');
    expect(errorText(wrong, 'de')).toBe(german['errorWrongPassphrase']!.message);
    // A code the pages do not translate keeps the background's own message.
    const other = { code: 'scheduling_invalid', message: 'That meeting cannot be arranged.' } as const;
    expect(errorText(other, 'de')).toBe('That meeting cannot be arranged.');
  });

  it('[I18N21] counts choose a whole message by the language’s plural rules', () => {
    useCatalog(english);
    const keys = { one: 'layerMarkedOne', other: 'layerMarkedOther' } as const;
    expect(pluralKey(1, keys, 'en')).toBe('layerMarkedOne');
    expect(pluralKey(0, keys, 'en')).toBe('layerMarkedOther');
    expect(pluralKey(2, keys, 'de')).toBe('layerMarkedOther');
    expect(plural(3, keys)).toBe('3 meetings on this page were booked by Parley.');
    expect(plural(1, { one: 'dataRestoredOne', other: 'dataRestoredOther' }, 4)).toBe(
      'Restored 1 record (4 already here).',
    );
    useCatalog(german);
    expect(plural(3, { one: 'calendarEventsOne', other: 'calendarEventsOther' })).toBe('3 Termine');
  });

  it('[I18N22] notifications, relay problems and “just now” come from the catalog of the UI language', () => {
    useCatalog(english);
    expect(NOTICE_TEXT.approval()).toEqual({
      title: 'Parley needs your approval',
      message: 'Your agent is waiting for you before it goes on arranging a meeting.',
    });
    expect(formatAgo(Date.now(), Date.now())).toBe('just now');
    useCatalog(german);
    expect(NOTICE_TEXT.booked().title).toBe('Treffen eingetragen');
    expect(formatAgo(undefined)).toBe('nie');
    expect(relayAccountProblem('firebase_token_required')).toBe(german['relayNeedsSignIn']!.message);
    expect(t('relayAnswersButRefused', 'relay.example.org')).toContain('relay.example.org');
  });
});
