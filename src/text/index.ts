/**
 * Text another agent wrote — a contact's name, a chat message, a meeting's title or note — reaches the
 * person only through `normalizePeerText`, at the boundary where it enters (the peer-message and the
 * negotiation-message schemas), before it is stored, shown, indexed or written to a calendar. What a peer
 * could use to make the person read something other than what is there goes:
 *
 * - compatibility forms fold (NFKC): full-width letters, ligatures, styled maths letters read as letters;
 * - invisible characters are removed: format characters (zero-width space and joiners, bidi marks,
 *   embeddings, overrides and isolates, the BOM), Unicode tag characters (U+E0000–U+E007F), variation
 *   selectors and every other default-ignorable code point, private-use characters, lone surrogates and
 *   control characters;
 * - line and paragraph separators become a newline (multi-line text) or a space (one-line text), runs
 *   of spaces collapse to one and of blank lines to one, so nothing is pushed out of sight;
 * - stacked combining marks are cut to four per character, so text cannot spill over its neighbours;
 * - the result is trimmed and cut to `maxChars` code points.
 *
 * The result is a fixed point: normalising it again changes nothing (tested as a property).
 * docs/protocol/scheduling.md NEG18 and docs/protocol.md MSG7.
 */
export interface PeerTextLimits {
  /** The most code points kept. */
  readonly maxChars: number;
  /** Keep line breaks (a chat message, a note); otherwise every break becomes a space (a name, a title). */
  readonly multiline?: boolean;
}

// Removed wherever they are. `\p{Default_Ignorable_Code_Point}` covers the zero-width characters, the
// bidi formatting characters, variation selectors (which can smuggle bytes after an emoji), Hangul
// fillers and the tag block; `\p{Cf}` the remaining format characters; `\p{Co}` private use; `\p{Cs}`
// lone surrogates; then the C0/C1 controls other than the line breaks handled below.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Co}\p{Cs}\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]/gu;
/** CR LF, CR, LF, VT, FF, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR. */
const BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/g;
/** Tab and every space separator (NFKC maps most to U+0020, not all: U+1680 OGHAM SPACE MARK stays). */
const SPACE = /[\t\p{Zs}]+/gu;
const MAX_MARKS = 4;
const STACKED_MARKS = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, 'gu');

export function normalizePeerText(input: string, limits: PeerTextLimits): string {
  const multiline = limits.multiline ?? false;
  let text = input.replace(INVISIBLE, '').normalize('NFKC').replace(INVISIBLE, '');
  text = text.replace(BREAK, multiline ? '\n' : ' ').replace(SPACE, ' ');
  text = text.replace(STACKED_MARKS, '$1');
  if (multiline) {
    text = text
      .split('\n')
      .map((line) => line.trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n');
  }
  text = text.trim();
  const points = Array.from(text);
  return points.length <= limits.maxChars ? text : points.slice(0, limits.maxChars).join('').trimEnd();
}

/** How a contact's name may be at most (pairing messages carry at most this many characters). */
export const NAME_CHARS = 60;
