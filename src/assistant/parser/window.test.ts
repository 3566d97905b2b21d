import { describe, expect, it } from 'vitest';
import { parseCommand } from './parse';

const contacts = ['Noor Haddad', 'Felix Braun', 'Inès Dubois'];
/** Window of `text` for a person whose wall clock reads `now` in `timeZone`. */
const win = (text: string, now: string, timeZone = 'Europe/Lisbon') => {
  const w = parseCommand(text, { now, timeZone, contacts }).window;
  return w && `${w.from}..${w.to}`;
};
const SUN_LATE = '2027-01-31T23:50:00'; // a Sunday, ten minutes before midnight
const THU_YEAR_END = '2027-12-30T07:00:00'; // a Thursday; that ISO week ends in 2028
const MON_LEAP = '2028-02-28T00:05:00'; // a Monday, the day before a leap day

describe('window', () => {
  it('[CMD1] today is the date part of now, whatever the zone or the hour', () => {
    expect(win('book a call with Noor today', SUN_LATE, 'Pacific/Kiritimati')).toBe('2027-01-31..2027-01-31');
    expect(win('book a call with Noor tomorrow', SUN_LATE, 'America/Los_Angeles')).toBe(
      '2027-02-01..2027-02-01',
    );
    expect(win('sync with Felix tomorrow', MON_LEAP, 'Australia/Sydney')).toBe('2028-02-29..2028-02-29');
    expect(win('sync with Felix the day after tomorrow', MON_LEAP)).toBe('2028-03-01..2028-03-01');
  });

  it('[CMD11] this week runs to Sunday, next week and the week after next are whole ISO weeks', () => {
    expect(win('an hour with Noor this week', SUN_LATE)).toBe('2027-01-31..2027-01-31');
    expect(win('an hour with Noor next week', SUN_LATE)).toBe('2027-02-01..2027-02-07');
    expect(win('an hour with Noor this week', THU_YEAR_END, 'Asia/Tokyo')).toBe('2027-12-30..2028-01-02');
    expect(win('an hour with Noor next week', THU_YEAR_END, 'Asia/Tokyo')).toBe('2028-01-03..2028-01-09');
    expect(win('an hour with Noor the week after next', THU_YEAR_END)).toBe('2028-01-10..2028-01-16');
  });

  it('[CMD12] a bare weekday is the next one strictly after today; next <day> is in the next ISO week', () => {
    expect(win('lunch with Felix on Monday', SUN_LATE)).toBe('2027-02-01..2027-02-01');
    expect(win('lunch with Felix on Sunday', SUN_LATE)).toBe('2027-02-07..2027-02-07');
    expect(win('lunch with Felix next Monday', SUN_LATE)).toBe('2027-02-01..2027-02-01');
    expect(win('lunch with Felix Friday next week', THU_YEAR_END)).toBe('2028-01-07..2028-01-07');
    expect(win("cancel Friday's call with Felix", THU_YEAR_END)).toBe('2027-12-31..2027-12-31');
  });

  it('[CMD12] weekends and deadlines', () => {
    expect(win('brunch with Inès this weekend', SUN_LATE)).toBe('2027-01-31..2027-01-31');
    expect(win('brunch with Inès next weekend', SUN_LATE)).toBe('2027-02-06..2027-02-07');
    expect(win('brunch with Inès this weekend', '2027-01-30T09:00:00')).toBe('2027-01-30..2027-01-31');
    expect(win('talk to Noor before Wednesday', MON_LEAP)).toBe('2028-02-28..2028-02-29');
    expect(win('talk to Noor by Monday', MON_LEAP)).toBe('2028-02-28..2028-03-06');
  });

  it('[CMD13] months: this month, end of the month, next month, in <Month>', () => {
    expect(win('what do I have by the end of the month', MON_LEAP)).toBe('2028-02-28..2028-02-29');
    expect(win('coffee with Noor next month', THU_YEAR_END)).toBe('2028-01-01..2028-01-31');
    expect(win('coffee with Noor in March', MON_LEAP)).toBe('2028-03-01..2028-03-31');
    expect(win('coffee with Noor in January', SUN_LATE)).toBe('2027-01-31..2027-01-31');
    expect(win('coffee with Noor in January', THU_YEAR_END)).toBe('2028-01-01..2028-01-31');
  });

  it('[CMD13] explicit dates take this year unless already past; a/b follows the zone', () => {
    expect(win('meet Felix on Jan 2nd', THU_YEAR_END)).toBe('2028-01-02..2028-01-02');
    expect(win('meet Felix on the 30th of December', THU_YEAR_END)).toBe('2027-12-30..2027-12-30');
    expect(win('meet Felix on 29 Feb', MON_LEAP)).toBe('2028-02-29..2028-02-29');
    expect(win('meet Felix on 5/6', MON_LEAP, 'America/Chicago')).toBe('2028-05-06..2028-05-06');
    expect(win('meet Felix on 5/6', MON_LEAP, 'Europe/Lisbon')).toBe('2028-06-05..2028-06-05');
    expect(win('meet Felix on 2028-03-15', MON_LEAP)).toBe('2028-03-15..2028-03-15');
    expect(win('meet Felix on the 3rd', MON_LEAP)).toBe('2028-03-03..2028-03-03');
  });

  it('[CMD13] rolling periods count today as the first day', () => {
    expect(win('find time with Inès in the next 4 days', THU_YEAR_END)).toBe('2027-12-30..2028-01-02');
    expect(win('find time with Inès within three weeks', SUN_LATE)).toBe('2027-01-31..2027-02-20');
  });

  it('[CMD14] schedule without a time phrase has no window; agenda defaults to today', () => {
    expect(win('set up a chat with Noor', SUN_LATE)).toBeNull();
    expect(win('what have I got', SUN_LATE)).toBe('2027-01-31..2027-01-31');
  });

  it('[CMD14] a reschedule keeps only the new period; the old date is ignored', () => {
    expect(win("move Monday's sync with Felix to Wednesday", SUN_LATE)).toBe('2027-02-03..2027-02-03');
    expect(win('postpone my call with Felix until next week', SUN_LATE)).toBe('2027-02-01..2027-02-07');
    expect(win('reschedule tomorrow’s review with Noor', SUN_LATE)).toBeNull();
  });
});
