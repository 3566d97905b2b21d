import { NUMBER_WORDS } from './vocabulary';

/** A meeting length found in the normalised command (§6), and where it starts there. */
export interface DurationMatch {
  readonly index: number;
  readonly minutes: number;
}

const N = `(\\d+(?:\\.\\d+)?|${Object.keys(NUMBER_WORDS).join('|')}|(?:twenty|thirty|forty|fifty) five)`;
const num = (text: string) =>
  NUMBER_WORDS[text] ?? (/ five$/.test(text) ? NUMBER_WORDS[text.slice(0, -5)]! + 5 : Number(text));

/** Longest forms first: at one position the first rule that matches wins. */
const RULES: [RegExp, (m: RegExpExecArray) => number][] = [
  [new RegExp(`\\b${N} hours? (?:and )?(\\d+)(?: minutes)?\\b`, 'g'), (m) => num(m[1]!) * 60 + Number(m[2])],
  [new RegExp(`\\b${N} hours? and a half\\b`, 'g'), (m) => num(m[1]!) * 60 + 30],
  [new RegExp(`\\b${N} and a half hours?\\b`, 'g'), (m) => num(m[1]!) * 60 + 30],
  [/\b(?:a )?quarter (?:of )?(?:an )?hour\b/g, () => 15],
  [/\b(?:a )?half (?:an )?hour\b/g, () => 30],
  [new RegExp(`\\b${N} minutes\\b`, 'g'), (m) => num(m[1]!)],
  [new RegExp(`\\b${N} hours?\\b`, 'g'), (m) => num(m[1]!) * 60],
  [/\bhour long\b/g, () => 60],
];

/** Every stated length, earliest first. Clock times (`at 3`, `6 pm`) carry no unit and never match. */
export function findDurations(norm: string): DurationMatch[] {
  const found: (DurationMatch & { rule: number })[] = [];
  RULES.forEach(([pattern, read], rule) => {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(norm); m; m = pattern.exec(norm)) {
      const minutes = Math.round(read(m));
      if (minutes >= 1 && minutes <= 24 * 60) found.push({ index: m.index, minutes, rule });
    }
  });
  found.sort((a, b) => a.index - b.index || a.rule - b.rule);
  return found.filter((m, i) => i === 0 || m.index !== found[i - 1]!.index);
}

/** For reschedule only a new length counts: "make it an hour", "shorten … to 15 minutes" (§6). */
export function isNewLength(norm: string, index: number): boolean {
  return /\b(?:to|it|be|last|take|takes)(?: (?:about|around|just|only|roughly))? $/.test(
    norm.slice(0, index),
  );
}
