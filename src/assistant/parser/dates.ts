/**
 * Calendar arithmetic on local dates. A `Day` is a UTC-midnight timestamp used only as a calendar
 * date: the person's wall clock is never converted to another zone (§1).
 */
export type Day = number;
const MS_PER_DAY = 86_400_000;

export const day = (year: number, month: number, date: number): Day => Date.UTC(year, month - 1, date);
export const addDays = (d: Day, n: number): Day => d + n * MS_PER_DAY;
export const isoDate = (d: Day): string => new Date(d).toISOString().slice(0, 10);
/** ISO weekday: Monday 1 … Sunday 7. */
export const weekday = (d: Day): number => ((new Date(d).getUTCDay() + 6) % 7) + 1;
export const year = (d: Day): number => new Date(d).getUTCFullYear();
export const month = (d: Day): number => new Date(d).getUTCMonth() + 1;
export const dateOf = (d: Day): number => new Date(d).getUTCDate();
export const lastOfMonth = (y: number, m: number): Day => Date.UTC(y, m, 0);

/** Today: the date part of the person's wall-clock `now` (`YYYY-MM-DDTHH:mm:ss`). */
export function today(now: string): Day {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(now);
  if (!m) throw new TypeError(`now must start with YYYY-MM-DD, got ${JSON.stringify(now.slice(0, 30))}`);
  return day(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** A valid calendar date, or null (`Feb 30`). */
export function validDay(y: number, m: number, d: number): Day | null {
  if (m < 1 || m > 12 || d < 1) return null;
  const value = day(y, m, d);
  return dateOf(value) === d ? value : null;
}
