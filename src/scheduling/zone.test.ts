import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { SchedulingError } from './errors';
import { HOUR, MINUTE } from './interval';
import { epochToWall, formatLocal, instantAt, dayFromIsoDate, wallToEpoch, zoneTable } from './zone';

export const DST_ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Pacific/Apia',
  'America/Santiago',
  'Australia/Sydney',
  'Asia/Kathmandu',
  'America/Sao_Paulo',
] as const;

/** Reference: Temporal directly. First occurrence in a fold, the transition instant in a gap. */
export function referenceWallToEpoch(tz: string, wall: number): number {
  const pdt = Temporal.PlainDateTime.from(new Date(wall).toISOString().slice(0, 23));
  const later = pdt.toZonedDateTime(tz, { disambiguation: 'later' });
  if (later.toPlainDateTime().equals(pdt))
    return pdt.toZonedDateTime(tz, { disambiguation: 'earlier' }).epochMilliseconds;
  return later.add({ nanoseconds: 1 }).getTimeZoneTransition('previous')!.epochMilliseconds;
}

describe('zone table', () => {
  it('[AVL3] wall→instant matches Temporal everywhere, gaps and folds included', () => {
    const from = Date.UTC(2010, 0, 1);
    const to = Date.UTC(2026, 0, 1);
    fc.assert(
      fc.property(
        fc.constantFrom(...DST_ZONES),
        fc.integer({ min: from / MINUTE, max: to / MINUTE }),
        (tz, minute) => {
          const wall = minute * MINUTE;
          const table = zoneTable(tz, wall - 2 * HOUR * 24, wall + 2 * HOUR * 24);
          expect(wallToEpoch(table, wall)).toBe(referenceWallToEpoch(tz, wall));
          const instant = Temporal.Instant.fromEpochMilliseconds(wall).toZonedDateTimeISO(tz);
          expect(epochToWall(table, wall)).toBe(wall + instant.offsetNanoseconds / 1e6);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('[AVL3] near every transition of 2011–2025 the conversion matches Temporal minute by minute', () => {
    for (const tz of DST_ZONES) {
      const table = zoneTable(tz, Date.UTC(2011, 0, 1), Date.UTC(2025, 11, 31));
      for (const t of table.starts.slice(1)) {
        if (t < Date.UTC(2011, 0, 1) || t > Date.UTC(2025, 11, 31)) continue;
        const wallT = epochToWall(table, t);
        for (let w = wallT - 2 * HOUR; w <= wallT + 2 * HOUR; w += 15 * MINUTE) {
          expect(wallToEpoch(table, w)).toBe(referenceWallToEpoch(tz, w));
        }
      }
    }
  });

  it('[AVL3] Lord Howe moves 30 minutes: 02:00→01:30 in April, 02:00→02:30 in October', () => {
    const t = zoneTable('Australia/Lord_Howe', Date.UTC(2024, 0, 1), Date.UTC(2024, 11, 31));
    const apr = dayFromIsoDate('2024-04-07');
    // 01:00 → 03:00 local spans 2.5 real hours (01:30–02:00 happens twice).
    expect(instantAt(t, apr, 180) - instantAt(t, apr, 60)).toBe(2.5 * HOUR);
    const oct = dayFromIsoDate('2024-10-06');
    // 02:15 never happens; it maps to the transition, the same instant as 02:30.
    expect(instantAt(t, oct, 135)).toBe(instantAt(t, oct, 150));
    expect(instantAt(t, oct, 180) - instantAt(t, oct, 60)).toBe(1.5 * HOUR);
  });

  it('[AVL3] Pacific/Apia skipped 30 December 2011 entirely', () => {
    const t = zoneTable('Pacific/Apia', Date.UTC(2011, 0, 1), Date.UTC(2012, 0, 31));
    const day = dayFromIsoDate('2011-12-30');
    expect(instantAt(t, day, 9 * 60)).toBe(instantAt(t, day, 17 * 60));
    expect(instantAt(t, day + 1, 0) - instantAt(t, day, 0)).toBe(0);
  });

  it('formats a local time with its offset', () => {
    const t = zoneTable('Asia/Kathmandu', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2));
    expect(formatLocal(t, Date.UTC(2024, 0, 1, 3, 15))).toBe('Mon 2024-01-01 09:00 (UTC+05:45)');
  });

  it('rejects an unknown zone with a typed error', () => {
    expect(() => zoneTable('Mars/Olympus_Mons', 0, 1)).toThrow(SchedulingError);
  });
});
