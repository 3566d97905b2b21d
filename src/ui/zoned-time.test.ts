import { describe, expect, it } from 'vitest';
import { zonedInstant } from './zoned-time';

describe('a time the person types, in their zone', () => {
  it("[CRL1] reads a date and a time in the person's zone, across DST, and refuses what is not a time", () => {
    expect(zonedInstant('2026-12-10', '14:00', 'Europe/Paris')).toBe(Date.UTC(2026, 11, 10, 13, 0));
    expect(zonedInstant('2026-07-10', '14:00', 'Europe/Paris')).toBe(Date.UTC(2026, 6, 10, 12, 0));
    expect(zonedInstant('2026-12-10', '09:30', 'America/New_York')).toBe(Date.UTC(2026, 11, 10, 14, 30));
    expect(zonedInstant('2026-12-10', '09:30', 'Asia/Kolkata')).toBe(Date.UTC(2026, 11, 10, 4, 0));
    expect(zonedInstant('2026-12-10', '09:30', 'UTC')).toBe(Date.UTC(2026, 11, 10, 9, 30));
    // The night the clocks go forward in Paris, 02:30 does not exist: it lands an hour later, 03:30 CEST.
    expect(zonedInstant('2026-03-29', '02:30', 'Europe/Paris')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(zonedInstant('', '14:00', 'UTC')).toBeUndefined();
    expect(zonedInstant('2026-12-10', '2pm', 'UTC')).toBeUndefined();
  });
});
