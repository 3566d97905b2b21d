import type { Command } from './command';

/**
 * What a model may read of a command, cloud or on-device (docs/protocol/assistant.md AST1–2,
 * docs/protocol/on-device.md ODM4): the person's own words with every contact name replaced by a placeholder
 * (`Contact 1`, `Contact 2` …) and every e-mail address, phone number and URL by `[email]`, `[phone]`, `[url]`.
 * The placeholders stay here and are mapped back by code. Names are matched as CONVENTIONS.md §5 says: a full
 * display name or a first name, ignoring case and diacritics; a possessive `'s` stays outside the placeholder
 * (`Dana's` → `Contact 1's`).
 */
export type Placeholder =
  /** The typed words name exactly one contact. */
  | { kind: 'contact'; displayName: string; typed: string }
  /** The typed words (a shared first name) match several contacts: the result lists them as unresolved. */
  | { kind: 'ambiguous'; typed: string };

export interface Redacted {
  readonly text: string;
  /** The summary of earlier requests (CHT4), redacted with the same placeholders as `text`. */
  readonly earlier?: readonly string[];
  /** `Contact 1` → what it stands for. */
  readonly placeholders: Readonly<Record<string, Placeholder>>;
  /** The originals behind `[email]`, `[phone]`, `[url]`, in order of appearance. */
  readonly secrets: Readonly<Record<SecretToken, readonly string[]>>;
}

type SecretToken = '[email]' | '[phone]' | '[url]';

/** Letters with no Unicode decomposition that CONVENTIONS.md §5 folds all the same. */
const EXTRA: Readonly<Record<string, string>> = { ø: 'o', ł: 'l', ı: 'i', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe' };

/** Folds case, diacritics and runs of white space, remembering where each folded character came from. */
function fold(text: string): { folded: string; start: number[]; end: number[] } {
  let folded = '';
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  for (const ch of text) {
    const j = i;
    i += ch.length;
    let out: string;
    if (/\s/u.test(ch)) {
      if (folded.endsWith(' ')) {
        end[end.length - 1] = i;
        continue;
      }
      out = ' ';
    } else {
      out = ch
        .normalize('NFKD')
        .replace(/\p{M}/gu, '')
        .toLowerCase()
        .normalize('NFKD')
        .replace(/\p{M}/gu, '')
        .replace(/[øłıđßæœ]/gu, (c) => EXTRA[c]!);
    }
    for (const c of out) {
      folded += c;
      for (let k = 0; k < c.length; k++) {
        start.push(j);
        end.push(i);
      }
    }
  }
  return { folded, start, end };
}

const foldName = (name: string) => fold(name.trim()).folded;
const WORD = /[\p{L}\p{N}]/u;

interface Span {
  from: number;
  to: number;
  replace: (placeholderFor: (key: string, p: Placeholder) => string) => string;
}

/** Finds `needle` (already folded) in the folded text, on word boundaries. */
function* occurrences(folded: string, needle: string): Generator<[number, number]> {
  if (!needle) return;
  for (let at = folded.indexOf(needle); at >= 0; at = folded.indexOf(needle, at + 1)) {
    const before = folded[at - 1];
    const after = folded[at + needle.length];
    if ((before && WORD.test(before)) || (after && WORD.test(after))) continue;
    yield [at, at + needle.length];
  }
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\/[^\s<>"]*/giu;
const EMAIL_RE = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
const PHONE_RE = /(?:\+|\b)\d[\d\s().\-/]{5,}\d\b/gu;
const DATE_LIKE = /\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|^\d{1,2}[.:]\d{2}/u;

/**
 * Parts redacted together are joined by this: an invisible separator that is neither space nor letter, so no
 * name matches across two parts, and the same contact gets the same placeholder in all of them.
 */
const SEPARATOR = '\n\u2063\n';

/**
 * `text` as a model may read it; with `earlier` (the summary of earlier requests, CHT4), both redacted with
 * one set of placeholders, the command's own spellings first.
 */
export function redactCommand(
  text: string,
  contacts: readonly string[],
  earlier: readonly string[] = [],
): Redacted {
  if (earlier.length === 0) return redactOne(text, contacts);
  const parts = [text.replaceAll('\u2063', ''), ...earlier.map((l) => l.replace(/\s+/gu, ' '))];
  const all = redactOne(parts.join(SEPARATOR), contacts);
  const [own, ...rest] = all.text.split(SEPARATOR);
  return { ...all, text: own!, earlier: rest };
}

function redactOne(text: string, contacts: readonly string[]): Redacted {
  const { folded, start, end } = fold(text);
  const spans: Span[] = [];
  const free = (from: number, to: number) => spans.every((s) => to <= s.from || from >= s.to);
  const take = (from: number, to: number, replace: Span['replace']) => {
    if (from < to && free(from, to)) spans.push({ from, to, replace });
  };
  const contactSpan = (at: [number, number], target: (typed: string) => Placeholder, key: string) => {
    const from = start[at[0]]!;
    const to = end[at[1] - 1]!;
    take(from, to, (placeholderFor) => placeholderFor(key, target(text.slice(from, to))));
  };

  // Full names first, longest first: a contact is a contact even when the name contains a URL or digits.
  const byName = new Map<string, string[]>();
  const byFirst = new Map<string, string[]>();
  for (const name of new Set(contacts)) {
    const full = foldName(name);
    if (!full) continue;
    byName.set(full, [...(byName.get(full) ?? []), name]);
    const first = full.split(' ')[0]!;
    if (first !== full && [...first].length >= 2) byFirst.set(first, [...(byFirst.get(first) ?? []), name]);
  }
  const target = (names: string[]) => (typed: string) =>
    names.length === 1
      ? ({ kind: 'contact', displayName: names[0]!, typed } as const)
      : ({ kind: 'ambiguous', typed } as const);
  for (const [full, names] of [...byName].sort(([a], [b]) => b.length - a.length)) {
    for (const at of occurrences(folded, full)) contactSpan(at, target(names), `name:${full}`);
  }

  const secrets: Record<SecretToken, string[]> = { '[email]': [], '[phone]': [], '[url]': [] };
  const pattern = (re: RegExp, token: SecretToken, skip?: (m: string) => boolean) => {
    for (const m of text.matchAll(re)) {
      if (skip?.(m[0])) continue;
      const from = m.index;
      const to = from + m[0].length;
      if (!free(from, to)) continue;
      take(from, to, () => token);
      secrets[token].push(m[0]);
    }
  };
  pattern(EMAIL_RE, '[email]');
  pattern(URL_RE, '[url]');
  pattern(
    PHONE_RE,
    '[phone]',
    (m) => (m.match(/\d/g) ?? []).length < 7 || (!m.startsWith('+') && DATE_LIKE.test(m)),
  );

  // First names last: only where no full name, address or number already claimed the words.
  for (const [first, names] of byFirst) {
    const owners = [...new Set([...names, ...(byName.get(first) ?? [])])];
    for (const at of occurrences(folded, first)) contactSpan(at, target(owners), `first:${first}`);
  }

  spans.sort((a, b) => a.from - b.from);
  const placeholders: Record<string, Placeholder> = {};
  const keys = new Map<string, string>();
  const placeholderFor = (key: string, p: Placeholder) => {
    // The same contact, however it is typed, gets the same placeholder.
    const identity = p.kind === 'contact' ? `contact:${p.displayName}` : key;
    let label = keys.get(identity);
    if (!label) {
      label = `Contact ${keys.size + 1}`;
      keys.set(identity, label);
      placeholders[label] = p;
    }
    return label;
  };
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.from) + span.replace(placeholderFor);
    at = span.to;
  }
  out += text.slice(at);
  return { text: out, placeholders, secrets };
}

const PLACEHOLDER = /\bContact (\d+)\b/g;
/** A placeholder as a model may copy it into a list: `Contact 1`, `contact 1`, `[Contact 1]`, `Contact1`. */
const LABEL = /^\[?contact ?(\d+)\]?$/i;

/**
 * Maps a model's command back to the person's world: placeholders become display names; an ambiguous first
 * name, or any name the model wrote itself, becomes `unresolved` as typed; a placeholder we never issued names
 * nobody the person typed and is dropped. Placeholders and `[email]`/`[phone]`/`[url]` in a message body are
 * put back as typed.
 */
export function restoreCommand(
  command: Command,
  redacted: Pick<Redacted, 'placeholders' | 'secrets'>,
): Command {
  const participants: string[] = [];
  const unresolved: string[] = [];
  const add = (list: string[], name: string) => {
    if (!list.includes(name)) list.push(name);
  };
  for (const name of [...command.participants, ...command.unresolved]) {
    const label = LABEL.exec(name.trim());
    if (!label) {
      add(unresolved, name);
      continue;
    }
    const p = redacted.placeholders[`Contact ${Number(label[1])}`];
    if (p?.kind === 'contact') add(participants, p.displayName);
    else if (p?.kind === 'ambiguous') add(unresolved, p.typed);
  }
  for (const name of participants) {
    const i = unresolved.indexOf(name);
    if (i >= 0) unresolved.splice(i, 1);
  }
  return {
    ...command,
    participants: participants.slice(0, 20),
    unresolved: unresolved.slice(0, 20),
    text: command.text === null ? null : restoreText(command.text, redacted),
  };
}

/** Words a model wrote, with the placeholders and redacted tokens put back as the person typed them. */
export function restoreText(text: string, redacted: Pick<Redacted, 'placeholders' | 'secrets'>): string {
  let out = text.replace(PLACEHOLDER, (m) => redacted.placeholders[m]?.typed ?? m);
  for (const token of ['[email]', '[phone]', '[url]'] as const) {
    const originals = redacted.secrets[token];
    const count = out.split(token).length - 1;
    // Put originals back only when the model kept every one of them, so their order is ours.
    if (count === 0 || count !== originals.length) continue;
    let i = 0;
    out = out.split(token).reduce((acc, part) => acc + originals[i++]! + part);
  }
  return out.slice(0, 4000);
}
