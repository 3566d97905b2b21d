/**
 * Contact names out of the prompt, back into the command. The on-device model stays on the device, but it is
 * held to the same rule as a cloud model: it sees the person's words with every contact's name replaced by a
 * placeholder (`[C1]` for one contact, `[A1]` for a first name several contacts share), and never anything a
 * peer wrote. Matching follows CONVENTIONS.md §5: a full display name or a first name, ignoring case and
 * diacritics, with a possessive `'s` dropped. Deliberately small; the cloud provider has its own redaction.
 */

export interface Placeholder {
  readonly token: string;
  /** Exactly as the person typed it (without a possessive `'s`). */
  readonly typed: string;
  /** The contact's display name, or `null` when the name fits several contacts. */
  readonly contact: string | null;
}

export interface Redacted {
  readonly text: string;
  readonly placeholders: readonly Placeholder[];
}

const EXTRA: Record<string, string> = { ø: 'o', ł: 'l', ı: 'i', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe' };
export const fold = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[øłıđßæœ]/g, (c) => EXTRA[c]!);

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;
const POSSESSIVE = /['’]s$/i;

/** Replaces each contact name in `text` by a placeholder; the same name gets the same placeholder. */
export function redactNames(text: string, contacts: readonly string[]): Redacted {
  const full = new Map<string, string[]>();
  const first = new Map<string, string[]>();
  for (const name of contacts) {
    const words = fold(name).match(WORD) ?? [];
    if (words.length === 0) continue;
    const key = words.join(' ');
    full.set(key, [...(full.get(key) ?? []), name]);
    first.set(words[0]!, [...(first.get(words[0]!) ?? []), name]);
  }
  const longest = Math.max(0, ...[...full.keys()].map((k) => k.split(' ').length));
  const words = [...text.matchAll(WORD)].map((m) => ({ at: m.index, raw: m[0] }));
  const byKey = new Map<string, Placeholder>();
  const placeholders: Placeholder[] = [];
  let out = '';
  let cursor = 0;
  for (let i = 0; i < words.length;) {
    let hit: { n: number; names: string[] } | undefined;
    for (let n = Math.min(longest, words.length - i); n >= 1 && !hit; n--) {
      const span = words.slice(i, i + n);
      const key = span.map((w, j) => fold(j === n - 1 ? w.raw.replace(POSSESSIVE, '') : w.raw)).join(' ');
      const names = full.get(key) ?? (n === 1 ? first.get(key) : undefined);
      if (names) hit = { n, names: [...new Set(names)] };
    }
    if (!hit) {
      i++;
      continue;
    }
    const start = words[i]!.at;
    const last = words[i + hit.n - 1]!;
    const typed = text.slice(start, last.at + last.raw.length).replace(POSSESSIVE, '');
    const contact = hit.names.length === 1 ? hit.names[0]! : null;
    const key = contact ?? `?${fold(typed)}`;
    let placeholder = byKey.get(key);
    if (!placeholder) {
      const kind = contact ? 'C' : 'A';
      const count = placeholders.filter((p) => (p.contact ? 'C' : 'A') === kind).length + 1;
      placeholder = { token: `[${kind}${count}]`, typed, contact };
      byKey.set(key, placeholder);
      placeholders.push(placeholder);
    }
    out += text.slice(cursor, start) + placeholder.token;
    cursor = start + typed.length;
    i += hit.n;
  }
  return { text: out + text.slice(cursor), placeholders };
}

/** Puts what the person typed back in place of every placeholder in a string (a message body). */
export function restoreText(text: string, placeholders: readonly Placeholder[]): string {
  return placeholders.reduce((s, p) => s.split(p.token).join(p.typed), text);
}

const TOKEN = /^\[?([CA]\d+)\]?$/i;

/**
 * The command with real names back: a contact's placeholder becomes its display name in `participants`, a
 * shared first name goes to `unresolved` as typed, and a name the model put in `participants` that is no
 * placeholder matches no contact (the model never saw one), so it goes to `unresolved` too (CONVENTIONS §5).
 */
export function restoreCommand<
  C extends { participants: string[]; unresolved: string[]; text: string | null },
>(command: C, placeholders: readonly Placeholder[]): C {
  const byToken = new Map(placeholders.map((p) => [p.token.slice(1, -1).toUpperCase(), p]));
  const participants: string[] = [];
  const unresolved: string[] = [];
  const sort = (name: string) => {
    const token = TOKEN.exec(name.trim())?.[1]?.toUpperCase();
    const placeholder = token ? byToken.get(token) : undefined;
    if (placeholder?.contact) participants.push(placeholder.contact);
    else if (placeholder) unresolved.push(placeholder.typed);
    else if (!token) unresolved.push(name);
    // An unknown token names nobody the person typed: dropped.
  };
  for (const name of [...command.participants, ...command.unresolved]) sort(name);
  return {
    ...command,
    participants: [...new Set(participants)],
    unresolved: [...new Set(unresolved)],
    text: command.text === null ? null : restoreText(command.text, placeholders),
  };
}
