import { Temporal } from 'temporal-polyfill';
import { SchedulingError } from './errors';
import { DAY, MINUTE } from './interval';
import { isEpoch } from './limits';

/**
 * A time zone's UTC offsets over a span of time, read from the tz database through Temporal.
 *
 * Why not call Temporal for every wall-clock conversion: the polyfill costs ~20 µs per
 * `toZonedDateTime`, and availability over 90 days for 10 people needs thousands of them. Between two
 * transitions a zone's offset is constant, so once Temporal has told us where the transitions are and
 * what the offsets are, converting inside one period is exact integer arithmetic. `zone.test.ts`
 * checks every conversion here against Temporal itself, across DST gaps and folds.
 */
export interface ZoneTable {
  readonly timeZone: string;
  /** period i runs from starts[i] (inclusive) to starts[i+1]; starts[0] is -Infinity. */
  readonly starts: readonly number[];
  readonly offsets: readonly number[];
}

const cache = new Map<string, ZoneTable>();

export function assertTimeZone(timeZone: string): string {
  try {
    return Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(timeZone).timeZoneId;
  } catch (cause) {
    // Temporal refuses zones it does not know: typed, with an example of what works.
    throw new SchedulingError(
      'invalid_time_zone',
      `"${timeZone.slice(0, 64)}" is not a time zone this runtime knows; use an IANA name such as "Europe/London".`,
      { cause },
    );
  }
}

/** The longest span one table covers: reading transitions costs Temporal calls per year (SLT7). */
const MAX_TABLE_SPAN = 50 * 366 * DAY;

/**
 * Offsets for [from, to) with a margin of a year either side, cached per zone and calendar year span
 * (the tz database does not change while the extension runs).
 */
export function zoneTable(timeZone: string, from: number, to: number): ZoneTable {
  // [SLT7] Checked before Temporal sees them: an instant outside its range is a RangeError there, and a
  // span of millennia is thousands of transition lookups.
  if (!(isEpoch(from) && isEpoch(to) && from <= to && to - from <= MAX_TABLE_SPAN)) {
    throw new SchedulingError(
      'invalid_window',
      'A time window needs epoch ms between 1970 and 9999 with start <= end, at most 50 years apart.',
    );
  }
  const y0 = new Date(from).getUTCFullYear() - 1;
  const y1 = new Date(to).getUTCFullYear() + 1;
  const key = `${timeZone}|${y0}|${y1}`;
  const hit = cache.get(key);
  if (hit) return hit;
  assertTimeZone(timeZone);
  const spanStart = Date.UTC(y0, 0, 1);
  const spanEnd = Date.UTC(y1 + 1, 0, 1);
  let zdt = Temporal.Instant.fromEpochMilliseconds(spanStart).toZonedDateTimeISO(timeZone);
  const starts: number[] = [Number.NEGATIVE_INFINITY];
  const offsets: number[] = [zdt.offsetNanoseconds / 1e6];
  for (;;) {
    const next = zdt.getTimeZoneTransition('next');
    if (!next || next.epochMilliseconds >= spanEnd) break;
    starts.push(next.epochMilliseconds);
    offsets.push(next.offsetNanoseconds / 1e6);
    zdt = next;
  }
  const table: ZoneTable = { timeZone, starts, offsets };
  if (cache.size > 256) cache.clear();
  cache.set(key, table);
  return table;
}

function periodIndex(table: ZoneTable, epoch: number): number {
  const s = table.starts;
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (s[mid]! <= epoch) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function offsetAt(table: ZoneTable, epoch: number): number {
  return table.offsets[periodIndex(table, epoch)]!;
}

/** Wall-clock milliseconds (local time read as if it were UTC) at an instant. */
export function epochToWall(table: ZoneTable, epoch: number): number {
  return epoch + offsetAt(table, epoch);
}

/**
 * The first instant at which the local clock reads `wall`. In a fold (clocks go back) that is the
 * earlier occurrence; in a gap (clocks go forward, the wall time never happens) it is the instant of
 * the transition, the first moment after the missing wall time. Rule AVL3.
 */
export function wallToEpoch(table: ZoneTable, wall: number): number {
  const { starts, offsets } = table;
  const n = starts.length;
  for (let i = 0; i < n; i++) {
    const t = wall - offsets[i]!;
    const lo = starts[i]!;
    const hi = i + 1 < n ? starts[i + 1]! : Number.POSITIVE_INFINITY;
    if (t >= lo && t < hi) return t;
  }
  for (let i = 1; i < n; i++) {
    const s = starts[i]!;
    if (wall - offsets[i - 1]! >= s && wall - offsets[i]! < s) return s;
  }
  return wall - offsets[n - 1]!;
}

/** Local calendar day number (days since 1970-01-01 in local time) of an instant. */
export function localDay(table: ZoneTable, epoch: number): number {
  return Math.floor(epochToWall(table, epoch) / DAY);
}

/** ISO weekday of a local day number: 1 = Monday … 7 = Sunday. */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** 'YYYY-MM-DD' → local day number. */
export function dayFromIsoDate(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.floor(Date.UTC(y, m - 1, d) / DAY);
}

export function isoDateFromDay(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** Instant at which local day `day` reaches wall-clock `minutes` after midnight (AVL3 rules apply). */
export function instantAt(table: ZoneTable, day: number, minutes: number): number {
  return wallToEpoch(table, day * DAY + minutes * MINUTE);
}

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** "Tue 2024-03-12 09:30 (UTC-04:00)": how a slot reads for one participant, for explanations. */
export function formatLocal(table: ZoneTable, epoch: number): string {
  const off = offsetAt(table, epoch);
  const wall = new Date(epoch + off);
  const day = Math.floor((epoch + off) / DAY);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off) / MINUTE;
  const oh = String(Math.floor(abs / 60)).padStart(2, '0');
  const om = String(abs % 60).padStart(2, '0');
  return `${WEEKDAY_NAMES[isoWeekday(day) - 1]} ${wall.toISOString().slice(0, 10)} ${wall
    .toISOString()
    .slice(11, 16)} (UTC${sign}${oh}:${om})`;
}
