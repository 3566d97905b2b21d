import { afterAll, describe, expect, it } from 'vitest';
import de from '../../assets/public/_locales/de/messages.json';
import en from '../../assets/public/_locales/en/messages.json';
import type { ActivityItem } from '../rpc';
import { describeActivity, formatHours } from './activity-log';
import { setPersonZone } from './dates';
import { useCatalog } from './i18n';

afterAll(() => {
  useCatalog(undefined);
  setPersonZone(undefined);
});

const HOUR = 3_600_000;
/** Intl spaces its ranges with thin and narrow spaces; the assertions write plain ones. */
const plain = (text: string) => text.replace(/\s/g, ' ');
/** Monday 30 November 2026, 00:00 in Berlin (UTC+1). */
const MONDAY = Date.UTC(2026, 10, 29, 23);
/** `from`–`to` o'clock in Berlin on the given days after MONDAY. */
const daily = (days: number[], from: number, to: number) =>
  days.map((d) => ({ start: MONDAY + (d * 24 + from) * HOUR, end: MONDAY + (d * 24 + to) * HOUR }));

const told = (hours: ActivityItem['hours'], names: string[]): ActivityItem => ({
  id: 'a1',
  at: MONDAY,
  kind: 'disclosed',
  contacts: names.map((name, i) => ({ id: `c${i}`, name })),
  slots: [],
  hours,
});

describe('[DIS4] the activity log names the meeting hours it told', () => {
  it('[DIS4][CNV6] meeting hours read as weekdays and times, in the person’s zone, as whole messages in en and de', () => {
    const week = [...daily([0, 1, 2, 3, 4], 9, 17), ...daily([7, 8], 9, 17), ...daily([5], 10, 12)];
    expect(plain(formatHours(week, { locale: 'en-GB', timeZone: 'Europe/Berlin' }))).toBe(
      'Mon – Fri 09:00–17:00 and Sat 10:00–12:00',
    );
    expect(plain(formatHours(daily([0, 2], 9, 17), { locale: 'en-US', timeZone: 'Europe/Berlin' }))).toBe(
      'Mon, Wed 9:00 AM – 5:00 PM',
    );
    // The same instants in New York are six hours earlier.
    expect(plain(formatHours(daily([1], 15, 17), { locale: 'en-GB', timeZone: 'America/New_York' }))).toBe(
      'Tue 09:00–11:00',
    );

    setPersonZone('Europe/Berlin');
    useCatalog(en);
    const line = describeActivity(told(daily([0, 1, 2, 3, 4], 9, 17), ['Ben']));
    expect(plain(line)).toMatch(/^Told Ben your meeting hours: Mon – Fri .+$/);
    expect(line).not.toMatch(/Shared|0 times/);
    expect(describeActivity(told(daily([0], 9, 17), []))).toMatch(/^Told the organizer your meeting hours: /);
    expect(describeActivity(told([], ['Ben']))).toBe('Told Ben you have no meeting hours in that time');
    useCatalog(de);
    expect(describeActivity(told(daily([0], 9, 17), ['Ben']))).toMatch(
      /^Ben deine Besprechungszeiten mitgeteilt: .+$/,
    );
  });
});
