import { fold } from './fold';
import type { Token } from './normalize';
import { MONTHS, NOT_NAMES, SELF_OR_GROUP } from './vocabulary';

/** The person's contacts, keyed by folded full name and folded first name (§5). */
export interface ContactIndex {
  readonly full: ReadonlyMap<string, string>;
  readonly first: ReadonlyMap<string, readonly string[]>;
  /** Every folded word of every name: the tokenizer never "corrects" these. */
  readonly words: ReadonlySet<string>;
  readonly longest: number;
}

export function indexContacts(contacts: readonly string[]): ContactIndex {
  const full = new Map<string, string>();
  const first = new Map<string, string[]>();
  const words = new Set<string>();
  let longest = 1;
  for (const name of contacts) {
    const parts = fold(name)
      .split(/[\s-]+/)
      .filter(Boolean);
    if (parts.length === 0) continue;
    full.set(parts.join(' '), name);
    first.set(parts[0]!, [...(first.get(parts[0]!) ?? []), name]);
    for (const p of parts) words.add(p);
    longest = Math.max(longest, parts.length);
  }
  return { full, first, words, longest };
}

/** What a run of tokens refers to: contacts, an unresolved name as typed, the person themself. */
export type Reference =
  | { readonly kind: 'contact'; readonly name: string; readonly length: number }
  | { readonly kind: 'unresolved'; readonly typed: string; readonly length: number }
  | { readonly kind: 'self'; readonly length: number };

const LIST_START = new Set(['with', 'for', 'between', 'invite', 'and', ',']);
const MONTH_CONTEXT = new Set([
  'in',
  'on',
  'of',
  'during',
  'early',
  'late',
  'mid',
  'by',
  'until',
  'before',
  'since',
  'after',
  'throughout',
]);
const PRONOUNS = new Set(['you', 'we', 'i', 'they', 'he', 'she', 'it', 'u']);

const nameLike = (t: Token) =>
  !t.punct && /^\p{L}[\p{L}\p{M}'’.-]*$/u.test(t.raw) && !NOT_NAMES.has(t.word) && t.word.length > 1;

/**
 * "June" in "in June", "May 3" and "Will you …" are a month and a verb, not people (§5).
 * A lower-case ordinary word counts as a name only where a name is expected.
 */
function refersToPerson(tokens: readonly Token[], i: number, inSlot: boolean): boolean {
  const t = tokens[i]!;
  const prev = tokens[i - 1]?.word;
  const next = tokens[i + 1]?.word ?? '';
  if (MONTHS.includes(t.word) && ((prev && MONTH_CONTEXT.has(prev)) || /^\d/.test(next))) return false;
  if ((t.word === 'will' || t.word === 'may' || t.word === 'can') && PRONOUNS.has(next)) return false;
  if (NOT_NAMES.has(t.word) && !t.cap && !inSlot) return false;
  return true;
}

/** The reference starting at token `i`, or null. `inSlot`: a name is expected here ("with _"). */
export function referenceAt(
  tokens: readonly Token[],
  i: number,
  index: ContactIndex,
  inSlot: boolean,
): Reference | null {
  const t = tokens[i]!;
  if (t.punct) return null;
  // A full name starts with a first name: only then is a longer run worth looking up.
  if (index.first.has(t.word)) {
    let key = t.word;
    let longest: Reference | null = null;
    for (let n = 2; n <= index.longest && i + n <= tokens.length; n++) {
      const next = tokens[i + n - 1]!;
      if (next.punct) break;
      key += ' ' + next.word;
      const name = index.full.get(key);
      if (name) longest = { kind: 'contact', name, length: n };
    }
    if (longest) return longest;
  }
  const byFirst = index.first.get(t.word) ?? (index.full.has(t.word) ? [index.full.get(t.word)!] : undefined);
  if (byFirst && refersToPerson(tokens, i, inSlot)) {
    return byFirst.length === 1
      ? { kind: 'contact', name: byFirst[0]!, length: 1 }
      : { kind: 'unresolved', typed: t.raw, length: 1 };
  }
  if (SELF_OR_GROUP.has(t.word) || t.word === 'the') {
    return t.word === 'the'
      ? tokens[i + 1]?.word === 'team'
        ? { kind: 'self', length: 2 }
        : null
      : { kind: 'self', length: 1 };
  }
  const sentenceStart = i === 0 || /[.!?]/.test(tokens[i - 1]!.raw);
  // A capitalised first word is a name only when a list follows: "Priya and I need an hour".
  const listFollows = tokens[i + 1]?.word === 'and' || tokens[i + 1]?.word === ',';
  if (nameLike(t) && (inSlot || (t.cap && (!sentenceStart || listFollows)))) {
    // "Jordan Lee": capitalised name words typed together are one name.
    let n = 1;
    while (tokens[i + n] && tokens[i + n]!.cap && nameLike(tokens[i + n]!) && !tokens[i + n - 1]!.possessive)
      n++;
    const typed = tokens
      .slice(i, i + n)
      .map((r) => r.raw)
      .join(' ');
    return { kind: 'unresolved', typed, length: n };
  }
  return null;
}

export interface People {
  readonly participants: string[];
  readonly unresolved: string[];
}

/** Everyone the tokens refer to: contacts sorted by folded name, unresolved names in typed order. */
export function findPeople(tokens: readonly Token[], index: ContactIndex): People {
  const participants = new Set<string>();
  const unresolved: string[] = [];
  let inSlot = false;
  let afterPerson = false;
  for (let i = 0; i < tokens.length;) {
    const ref = referenceAt(tokens, i, index, inSlot);
    if (ref) {
      if (ref.kind === 'contact') participants.add(ref.name);
      else if (ref.kind === 'unresolved' && !unresolved.some((u) => fold(u) === fold(ref.typed)))
        unresolved.push(ref.typed);
      i += ref.length;
      inSlot = false;
      afterPerson = true;
      continue;
    }
    const word = tokens[i]!.word;
    inSlot = LIST_START.has(word) && (afterPerson || (word !== 'and' && word !== ','));
    if (word === 'and' || word === ',') inSlot = afterPerson;
    afterPerson = false;
    i++;
  }
  return { participants: sortByFolded([...participants]), unresolved };
}

export const sortByFolded = (names: string[]) =>
  names.sort((a, b) => (fold(a) < fold(b) ? -1 : fold(a) > fold(b) ? 1 : 0));
