import { fold } from './fold';
import { COMMAND_WORDS, SHORTHAND } from './vocabulary';

/** One word (or punctuation mark) of the command, with where it sits in the original text. */
export interface Token {
  /** As typed, without a possessive `'s`. */
  readonly raw: string;
  /** Folded, shorthand expanded, typos corrected; `30m` becomes two tokens `30` `minutes`. */
  readonly word: string;
  readonly start: number;
  readonly end: number;
  /** Typed with a capital letter. */
  readonly cap: boolean;
  /** Typed with a possessive `'s` (`Ana's`, `Friday's`). */
  readonly possessive: boolean;
  readonly punct: boolean;
}

const TOKEN = /\d{4}-\d{2}-\d{2}|[ap]\.m\.|w\/|\d+(?:[.:/]\d+)*[a-z]*|[\p{L}\p{M}\d][\p{L}\p{M}\d'’]*|\S/giu;
const CONTRACTIONS = new Set([
  "what's",
  "it's",
  "that's",
  "let's",
  "he's",
  "she's",
  "there's",
  "who's",
  "where's",
  "how's",
  "here's",
]);
const NUMBER_UNIT = /^(\d+(?:\.\d+)?)(h|hr|hrs|m|min|mins|am|pm|st|nd|rd|th)(\d+)?$/;

const corrected = new Map<string, string>();
/** The command word `word` was probably meant as, or `word` itself. */
function correct(word: string): string {
  if (word.length < 5 || !/^[a-z]+$/.test(word)) return word;
  let fixed = corrected.get(word);
  if (fixed === undefined) {
    fixed = word;
    if (!COMMAND_WORDS.includes(word)) {
      const limit = word.length >= 8 ? 2 : 1;
      let best = limit + 1;
      for (const candidate of COMMAND_WORDS) {
        if (Math.abs(candidate.length - word.length) > limit) continue;
        const d = distance(word, candidate, limit);
        if (d < best) [best, fixed] = [d, candidate];
      }
    }
    corrected.set(word, fixed);
  }
  return fixed;
}

/** Optimal-string-alignment distance (adjacent swaps count 1), cut off above `limit`. */
function distance(a: string, b: string, limit: number): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]!.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (i > 0 && rowMin > limit) return limit + 1;
  }
  return rows[a.length]![b.length]!;
}

/**
 * Splits a command into tokens and reads each as the word that was meant (§2). Names the person's
 * contacts use are never "corrected".
 */
export function tokenize(text: string, names: ReadonlySet<string>): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(TOKEN)) {
    let raw = match[0];
    const start = match.index;
    const end = start + raw.length;
    const punct = !/[\p{L}\p{N}]/u.test(raw) && SHORTHAND[raw] === undefined;
    let possessive = false;
    let folded = fold(raw).replace(/’/g, "'");
    if (/'s$/.test(folded) && !CONTRACTIONS.has(folded)) {
      possessive = true;
      raw = raw.slice(0, -2);
      folded = folded.slice(0, -2);
    }
    const cap = /^\p{Lu}/u.test(raw);
    const push = (word: string) => tokens.push({ raw, word, start, end, cap, possessive, punct });
    const unit = NUMBER_UNIT.exec(folded);
    if (unit) {
      push(unit[1]!);
      push(SHORTHAND[unit[2]!] ?? unit[2]!);
      if (unit[3]) push(unit[3]);
      continue;
    }
    if (names.has(folded)) push(folded);
    else if (cap && tokens.length > 0 && !/[.!?]/.test(tokens.at(-1)!.raw)) push(SHORTHAND[folded] ?? folded);
    else push(SHORTHAND[folded] ?? correct(folded));
  }
  return tokens;
}

/** The tokens' words joined by single spaces, punctuation other than commas dropped. */
export function normalized(tokens: readonly Token[]): string {
  return tokens
    .filter((t) => !t.punct || t.word === ',')
    .map((t) => t.word)
    .join(' ');
}
