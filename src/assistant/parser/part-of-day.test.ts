import { describe, expect, it } from 'vitest';
import { parseCommand } from './parse';

const context = { now: '2026-10-25T01:30:00', timeZone: 'Europe/Paris', contacts: ['Lea Roux', 'Max Vogel'] };
const read = (text: string) => parseCommand(text, context);

describe('partOfDay', () => {
  it('[CMD15] morning, afternoon and evening words, and am after a day or a clock time', () => {
    expect(read('sync with Lea mornings next week').partOfDay).toBe('morning');
    expect(read('sync with Lea tmrw a.m.').partOfDay).toBe('morning');
    expect(read('sync with Lea at 9am on Tuesday').partOfDay).toBe('morning');
    expect(read('sync with Lea before noon').partOfDay).toBe('morning');
    expect(read('sync with Max after lunch on Monday').partOfDay).toBe('afternoon');
    expect(read('drinks with Max after work').partOfDay).toBe('evening');
    expect(read('drinks with Max after 7').partOfDay).toBe('evening');
    expect(read('drinks with Max tonight')).toMatchObject({
      partOfDay: 'evening',
      window: { from: '2026-10-25', to: '2026-10-25' },
    });
  });

  it('[CMD15] meals, the verb "am" and non-time intents leave it null; a reschedule takes the new time', () => {
    expect(read('breakfast with Lea on Tuesday').partOfDay).toBeNull();
    expect(read('am I free on Thursday?').partOfDay).toBeNull();
    expect(read('tell Max see you this evening').partOfDay).toBeNull();
    expect(read('move my morning call with Lea to Friday afternoon').partOfDay).toBe('afternoon');
  });
});
