import { describe, expect, it } from 'vitest';
import { parseCommand } from './parse';

const context = { now: '2026-03-29T02:30:00', timeZone: 'Europe/London', contacts: ['Pia Berg', 'Tom Wu'] };
const minutes = (text: string) => parseCommand(text, context).durationMinutes;

describe('durationMinutes', () => {
  it('[CMD10] stated lengths convert to minutes', () => {
    expect(minutes('a quarter hour with Pia')).toBe(15);
    expect(minutes('20m with Tom')).toBe(20);
    expect(minutes('a thirty-minute call with Pia')).toBe(30);
    expect(minutes('half-hour chat with Tom')).toBe(30);
    expect(minutes('forty-five minutes with Pia')).toBe(45);
    expect(minutes('an hr with Tom')).toBe(60);
    expect(minutes('hour-long review with Pia')).toBe(60);
    expect(minutes('an hour and a half with Tom')).toBe(90);
    expect(minutes('2.5h with Pia')).toBe(150);
    expect(minutes('1h15 with Tom')).toBe(75);
    expect(minutes('about 3 hours with Pia on Friday')).toBe(180);
  });

  it('[CMD10] no length, clock times and meeting kinds give null', () => {
    expect(minutes('quick chat with Pia')).toBeNull();
    expect(minutes('1:1 with Tom at 3')).toBeNull();
    expect(minutes('coffee with Pia after 6pm')).toBeNull();
  });

  it('[CMD10] a reschedule takes only a new length; other intents never have one', () => {
    expect(minutes('move my 30 min call with Tom to Friday')).toBeNull();
    expect(minutes('move my call with Tom to Friday and make it 45 minutes')).toBe(45);
    expect(minutes('shorten the sync with Pia to 20 min')).toBe(20);
    expect(minutes('text Tom I will be 10 minutes late')).toBeNull();
    expect(minutes('what do I have for the next 2 hours')).toBeNull();
  });
});
