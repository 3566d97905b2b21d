import type { Command } from '../command';
import { WEEKDAYS } from './vocabulary';

export type PartOfDay = NonNullable<Command['partOfDay']>;

/** A part of the day found in the normalised command (§8), and where it starts there. */
export interface PartOfDayMatch {
  readonly index: number;
  readonly value: PartOfDay;
}

const DAYS = `(?:today|tomorrow|tonight|${WEEKDAYS.join('|')})`;
const RULES: [RegExp, PartOfDay][] = [
  [/\b(?:mornings?|before noon)\b/g, 'morning'],
  // "am" is morning only after a clock time or a day: "10am", "tmrw am" — never the verb "am I".
  [new RegExp(`(?:\\b\\d{1,2}(?::\\d{2})? |\\b${DAYS} )am\\b`, 'g'), 'morning'],
  [/\b(?:afternoons?|after lunch)\b/g, 'afternoon'],
  [/\b(?:evenings?|tonight|after work|after (?:[5-9]|1[01])(?: ?pm)?)\b/g, 'evening'],
];

export function findPartsOfDay(norm: string): PartOfDayMatch[] {
  const found: PartOfDayMatch[] = [];
  for (const [pattern, value] of RULES) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(norm); m; m = pattern.exec(norm)) found.push({ index: m.index, value });
  }
  return found.sort((a, b) => a.index - b.index);
}
