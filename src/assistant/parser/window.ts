import * as chrono from 'chrono-node';
import { addDays, dateOf, isoDate, lastOfMonth, month, validDay, weekday, year, type Day } from './dates';
import { MONTHS, NUMBER_WORDS, WEEKDAYS } from './vocabulary';

/** Local dates, both ends inclusive (§7). */
export interface Window {
  readonly from: string;
  readonly to: string;
}

/** A time phrase found in the normalised command, and where it starts there. */
export interface WindowMatch {
  readonly index: number;
  readonly length: number;
  readonly window: Window;
}

interface Rule {
  readonly pattern: RegExp;
  readonly read: (m: RegExpExecArray, today: Day, timeZone: string) => [Day, Day] | null;
}

const WD = `(${WEEKDAYS.join('|')})`;
const MO = `(${MONTHS.join('|')})`;
const ORD = `(?: (?:st|nd|rd|th))?`;
const NUM = `(\\d+|${Object.keys(NUMBER_WORDS).join('|')})`;

const wd = (name: string) => WEEKDAYS.indexOf(name) + 1;
const mo = (name: string) => MONTHS.indexOf(name) + 1;
const num = (text: string) => NUMBER_WORDS[text] ?? Number(text);
const one = (d: Day | null): [Day, Day] | null => (d === null ? null : [d, d]);

/** Monday of the ISO week after today's. */
const nextMonday = (t: Day) => addDays(t, 8 - weekday(t));
/** The next given weekday strictly after today (§7.1 "Weekdays"). */
const bareWeekday = (t: Day, w: number) => addDays(t, (w - weekday(t) + 7) % 7 || 7);
const endOfMonth = (t: Day) => lastOfMonth(year(t), month(t));

function thisWeekend(t: Day): [Day, Day] {
  const w = weekday(t);
  if (w === 7) return [t, t];
  if (w === 6) return [t, addDays(t, 1)];
  return [addDays(t, 6 - w), addDays(t, 7 - w)];
}

/** A month named without a year: this year's, starting today if current, next year's if past. */
function wholeMonth(t: Day, m: number): [Day, Day] {
  const y = m < month(t) ? year(t) + 1 : year(t);
  const from = m === month(t) ? t : validDay(y, m, 1)!;
  return [from, lastOfMonth(y, m)];
}

/** A date without a year is this year's, or next year's once it has passed (§7.1 "Explicit dates"). */
function dateWithoutYear(t: Day, m: number, d: number): Day | null {
  const candidate = validDay(year(t), m, d);
  if (candidate !== null && candidate >= t) return candidate;
  return validDay(year(t) + 1, m, d);
}

const withYear = (y: string | undefined, t: Day, m: number, d: number) =>
  y ? validDay(y.length === 2 ? 2000 + Number(y) : Number(y), m, d) : dateWithoutYear(t, m, d);

const RULES: Rule[] = [
  { pattern: /\b(?:the )?day after tomorrow\b/g, read: (_, t) => one(addDays(t, 2)) },
  { pattern: /\btomorrow\b/g, read: (_, t) => one(addDays(t, 1)) },
  { pattern: /\b(?:today|tonight|this (?:morning|afternoon|evening))\b/g, read: (_, t) => one(t) },
  {
    pattern: /\b(?:the )?week after next\b/g,
    read: (_, t) => [addDays(nextMonday(t), 7), addDays(nextMonday(t), 13)],
  },
  {
    pattern: /\b(?:next|the following) weekend\b/g,
    read: (_, t) => [addDays(nextMonday(t), 5), addDays(nextMonday(t), 6)],
  },
  { pattern: /\b(?:this |the |on the |over the )?weekend\b/g, read: (_, t) => thisWeekend(t) },
  { pattern: /\b(?:next|the following) week\b/g, read: (_, t) => [nextMonday(t), addDays(nextMonday(t), 6)] },
  {
    pattern: /\b(?:this week|(?:by )?(?:the )?end of (?:the |this )?week|later this week)\b/g,
    read: (_, t) => [t, addDays(t, 7 - weekday(t))],
  },
  {
    pattern: new RegExp(`\\b(before|by|until|till|til) ${WD}\\b`, 'g'),
    read: (m, t) => {
      const target = bareWeekday(t, wd(m[2]!));
      return [t, m[1] === 'before' ? addDays(target, -1) : target];
    },
  },
  {
    pattern: new RegExp(`\\b(?:next ${WD}|${WD},? next week)\\b`, 'g'),
    read: (m, t) => one(addDays(nextMonday(t), wd(m[1] ?? m[2]!) - 1)),
  },
  { pattern: new RegExp(`\\b${WD}\\b`, 'g'), read: (m, t) => one(bareWeekday(t, wd(m[1]!))) },
  {
    pattern: /\b(?:this month|(?:by |before )?(?:the )?end of (?:the |this )?month)\b/g,
    read: (_, t) => [t, endOfMonth(t)],
  },
  {
    pattern: /\bnext month\b/g,
    read: (_, t) => {
      const first = addDays(endOfMonth(t), 1);
      return [first, endOfMonth(first)];
    },
  },
  {
    pattern: new RegExp(`\\b${MO} (\\d{1,2})${ORD}(?: ,)?(?: (\\d{4}))?\\b`, 'g'),
    read: (m, t) => one(withYear(m[3], t, mo(m[1]!), Number(m[2]))),
  },
  {
    pattern: new RegExp(`\\b(?:the )?(\\d{1,2})${ORD} (?:of )?${MO}(?: (\\d{4}))?\\b`, 'g'),
    read: (m, t) => one(withYear(m[3], t, mo(m[2]!), Number(m[1]))),
  },
  {
    pattern: new RegExp(`\\b(?:in|during|for|of|throughout) ${MO}\\b`, 'g'),
    read: (m, t) => wholeMonth(t, mo(m[1]!)),
  },
  {
    // "the 14th": this month's, or next month's once it has passed.
    pattern: new RegExp(`\\bthe (\\d{1,2}) (?:st|nd|rd|th)\\b(?! (?:of )?${MO})`, 'g'),
    read: (m, t) => {
      const d = Number(m[1]);
      const here = validDay(year(t), month(t), d);
      if (here !== null && here >= t) return one(here);
      const next = addDays(endOfMonth(t), 1);
      return one(validDay(year(next), month(next), d));
    },
  },
  {
    pattern: /\b(\d{4})-(\d{2})-(\d{2})\b/g,
    read: (m) => one(validDay(Number(m[1]), Number(m[2]), Number(m[3]))),
  },
  {
    // Numeric a/b is month/day in America/*, day/month elsewhere (§7.1).
    pattern: /\b(\d{1,2})\/(\d{1,2})(?:\/(\d{2}|\d{4}))?\b/g,
    read: (m, t, zone) => {
      const [a, b] = [Number(m[1]), Number(m[2])];
      return zone.startsWith('America/') ? one(withYear(m[3], t, a, b)) : one(withYear(m[3], t, b, a));
    },
  },
  {
    pattern: new RegExp(
      `\\b(?:in the (?:next|coming)|within(?: the next)?|over the next|during the next|in the following) ${NUM} (days?|weeks?)\\b`,
      'g',
    ),
    read: (m, t) => [t, addDays(t, num(m[1]!) * (m[2]!.startsWith('week') ? 7 : 1) - 1)],
  },
];

/** Every time phrase in the normalised command, earliest first (the longest of those at one place). */
export function findWindows(norm: string, today: Day, timeZone: string): WindowMatch[] {
  const found: WindowMatch[] = [];
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(norm); m; m = rule.pattern.exec(norm)) {
      const span = rule.read(m, today, timeZone);
      if (span && span[0] <= span[1]) {
        found.push({
          index: m.index,
          length: m[0].length,
          window: { from: isoDate(span[0]), to: isoDate(span[1]) },
        });
      }
    }
  }
  // Drop phrases inside a longer one ("friday" inside "friday next week").
  return found
    .sort((a, b) => a.index - b.index || b.length - a.length)
    .filter(
      (m, i, all) =>
        !all.slice(0, i).some((o) => m.index >= o.index && m.index + m.length <= o.index + o.length),
    );
}

/** chrono-node is slow next to the rules: it only runs when a month or a numeric date is typed. */
const MONTH_OR_DIGIT = /\d[./-]\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i;

/**
 * Explicit dates in forms the rules above do not list ("Dec. 14th, 2027"), read by chrono-node
 * and then given the conventions' year rule. Only day-and-month-certain results count.
 */
export function chronoDate(text: string, today: Day): Window | null {
  if (!MONTH_OR_DIGIT.test(text)) return null;
  const instant = new Date(year(today), month(today) - 1, dateOf(today), 12);
  for (const result of chrono.en.parse(text, instant)) {
    const start = result.start;
    if (!start.isCertain('day') || !start.isCertain('month')) continue;
    const m = start.get('month')!;
    const d = start.get('day')!;
    const found = start.isCertain('year') ? validDay(start.get('year')!, m, d) : dateWithoutYear(today, m, d);
    if (found !== null) return { from: isoDate(found), to: isoDate(found) };
  }
  return null;
}
