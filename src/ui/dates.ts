import { t } from './i18n';

/**
 * [A11Y8] Dates and times as the person reads them: `Intl` in the browser's locale and the person's time
 * zone (their meeting preferences; the browser's own zone until those are known). No format is written
 * by hand: the locale decides 12 or 24 hours, the order of day and month, and the words of "5 min ago".
 */

export interface DateContext {
  /** A BCP 47 locale; undefined: the browser's. */
  locale?: string;
  /** An IANA time zone; undefined: the person's (see `setPersonZone`). */
  timeZone?: string;
}

let personZone: string | undefined;

/**
 * Sets the zone every later format uses; `undefined` goes back to the browser's. A zone `Intl` does not
 * know is ignored (the browser's stays), so a typo in the settings never breaks the pages.
 */
export function setPersonZone(zone: string | undefined): void {
  personZone = zone && isTimeZone(zone) ? zone : undefined;
}

/** The zone dates are shown in now. */
export const currentZone = (): string => personZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    // RangeError: not a zone Intl knows. The caller falls back to the browser's zone.
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(options: Intl.DateTimeFormatOptions, context: DateContext = {}): Intl.DateTimeFormat {
  const timeZone = context.timeZone ?? personZone;
  const key = JSON.stringify([context.locale ?? '', timeZone ?? '', options]);
  let found = formats.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(context.locale, { ...options, ...(timeZone && { timeZone }) });
    formats.set(key, found);
  }
  return found;
}

const DAY: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' };

/** "02:05" where the locale counts 24 hours, "2:05 AM" where it counts 12 (what its own short time does). */
function time(context: DateContext = {}): Intl.DateTimeFormatOptions {
  const cycle = format({ hour: 'numeric' }, context).resolvedOptions().hourCycle;
  return { hour: cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric', minute: '2-digit' };
}

/** "14:05" or "2:05 PM". */
export const formatTime = (at: number, context?: DateContext): string =>
  format(time(context), context).format(at);

/** "Thu, 3 Dec". */
export const formatDay = (at: number, context?: DateContext): string => format(DAY, context).format(at);

/** "Thu, 3 Dec, 14:05". */
export const formatDateTime = (at: number, context?: DateContext): string =>
  format({ ...DAY, ...time(context) }, context).format(at);

/** "Thu 3 Dec, 14:00–14:30": one day written once; a range over midnight names both days. */
export const formatRange = (start: number, end: number, context?: DateContext): string =>
  format({ ...DAY, ...time(context) }, context).formatRange(start, end);

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago"; `never` when there is no time. */
export function formatAgo(
  at: number | undefined,
  now = Date.now(),
  {
    locale,
    never = t('commonNever'),
    justNow = t('commonJustNow'),
  }: { locale?: string; never?: string; justNow?: string } = {},
): string {
  if (at === undefined) return never;
  const minutes = Math.round((now - at) / 60_000);
  if (minutes < 1) return justNow;
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (minutes < 60) return relative.format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  return hours < 48 ? relative.format(-hours, 'hour') : relative.format(-Math.round(hours / 24), 'day');
}
