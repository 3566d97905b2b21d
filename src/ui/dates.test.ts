import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  currentZone,
  formatAgo,
  formatDateTime,
  formatDay,
  formatRange,
  formatTime,
  setPersonZone,
} from './dates';
import { type Catalog, useCatalog } from './i18n';

// Thursday 3 December 2026, 13:05 UTC.
const AT = Date.UTC(2026, 11, 3, 13, 5);
const MIN = 60_000;
/** ICU writes narrow no-break spaces in some places; compare with plain ones. */
const plain = (s: string) => s.replace(/\s/g, ' ');

// "just now" and "never" are the catalog's words (I18N1); English here.
beforeAll(() =>
  useCatalog(
    JSON.parse(
      readFileSync(
        path.resolve(import.meta.dirname, '../../assets/public/_locales/en/messages.json'),
        'utf8',
      ),
    ) as Catalog,
  ),
);
afterEach(() => setPersonZone(undefined));

describe('dates in the person’s locale and zone', () => {
  it('[A11Y8] a time follows the locale (24 h in German, AM/PM in US English) and the zone', () => {
    expect(formatTime(AT, { locale: 'de-DE', timeZone: 'Europe/Berlin' })).toBe('14:05');
    expect(plain(formatTime(AT, { locale: 'en-US', timeZone: 'America/New_York' }))).toBe('8:05 AM');
    expect(formatTime(AT, { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe('22:05');
  });

  it('[A11Y8] the person’s zone applies to every format; an unknown zone leaves the browser’s', () => {
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    setPersonZone('Asia/Tokyo');
    expect(currentZone()).toBe('Asia/Tokyo');
    expect(formatTime(AT, { locale: 'en-GB' })).toBe('22:05');
    setPersonZone('Pacific/Auckland');
    // 02:05 the next day there: the weekday moves too.
    expect(plain(formatDateTime(AT, { locale: 'en-GB' }))).toBe('Fri 4 Dec, 02:05');
    setPersonZone('Not/A_Zone');
    expect(currentZone()).toBe(browserZone);
  });

  it('[A11Y8] a day and a range are written the locale’s way, the day once for a same-day range', () => {
    const context = { locale: 'de-DE', timeZone: 'Europe/Berlin' };
    expect(formatDay(AT, context)).toBe('Do., 3. Dez.');
    const range = plain(formatRange(AT, AT + 30 * MIN, context));
    expect(range).toMatch(/^Do\., 3\. Dez\., 14:05\s?–\s?14:35( Uhr)?$/);
    const us = plain(formatRange(AT, AT + 30 * MIN, { locale: 'en-US', timeZone: 'America/New_York' }));
    expect(us).toMatch(/^Thu, Dec 3, 8:05\s?–\s?8:35 AM$/);
  });

  it('[A11Y8] "how long ago" is in the locale’s words', () => {
    const now = AT + 5 * MIN;
    expect(formatAgo(AT, now, { locale: 'en' })).toBe('5 minutes ago');
    expect(formatAgo(AT, now, { locale: 'de' })).toBe('vor 5 Minuten');
    expect(formatAgo(AT, AT + 3 * 60 * MIN, { locale: 'en' })).toBe('3 hours ago');
    expect(formatAgo(AT, AT + 3 * 24 * 60 * MIN, { locale: 'en' })).toBe('3 days ago');
    expect(formatAgo(AT, AT + 10_000, { locale: 'en' })).toBe('just now');
    expect(formatAgo(undefined, now)).toBe('never');
  });
});
