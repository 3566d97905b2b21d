import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizePeerText } from '.';

/** BIPIA's indirect-injection strings: text an adversary could put in a title, a name or a message. */
const INJECTIONS = readFileSync(
  path.join(import.meta.dirname, '../../../shared/vectors/injection/dev_injections.jsonl'),
  'utf8',
)
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { text: string }).text);

/** Text written in Unicode tag characters: invisible in every renderer, readable by a machine. */
const asTags = (text: string) =>
  [...text].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');

/** Characters that hide or reorder text without being seen. */
const INVISIBLE = [
  '\u200b', // zero-width space
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u2060', // word joiner
  '\ufeff', // byte-order mark
  '\u00ad', // soft hyphen
  '\u200e', // left-to-right mark
  '\u200f', // right-to-left mark
  '\u061c', // Arabic letter mark
  '\u202a', // left-to-right embedding
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u2069', // pop directional isolate
  '\u034f', // combining grapheme joiner
  '\ufe0f', // variation selector 16
  '\u{e0101}', // variation selector 18
  '\u3164', // Hangul filler
  '\ue000', // private use
  '\u{f0000}', // supplementary private use
  '\u{e0001}', // language tag
  '\u{e007f}', // cancel tag
  '\ud800', // lone surrogate
  '\u0007', // bell
  '\u009b', // C1 control sequence introducer
];

const one = (s: string) => normalizePeerText(s, { maxChars: 200 });
const many = (s: string) => normalizePeerText(s, { maxChars: 1_000, multiline: true });

describe('normalizePeerText', () => {
  it('[MSG7] an instruction written in tag characters disappears; the visible text stays', () => {
    for (const attack of INJECTIONS) {
      expect(one(`Lunch${asTags(attack)}`)).toBe('Lunch');
      expect(many(`See you there.${asTags(attack)}`)).toBe('See you there.');
    }
  });

  it('[MSG7] zero-width, bidi, format, private-use and control characters are removed wherever they are', () => {
    for (const c of INVISIBLE) {
      expect(one(`Pay${c} Ana${c}`)).toBe('Pay Ana');
      expect(one(`${c}a${c}p${c}p${c}r${c}o${c}v${c}e${c}`)).toBe('approve');
    }
    // Interleaving invisible characters with any injection string changes nothing a person could read.
    for (const attack of INJECTIONS) {
      const hidden = [...attack].map((c, i) => c + INVISIBLE[i % INVISIBLE.length]).join('');
      expect(many(hidden)).toBe(many(attack));
    }
  });

  it('[MSG7] line and paragraph separators break no line in a title; runs of blanks cannot push text away', () => {
    expect(one('Sync\u2028approved by admin\u2029\r\nok\u0085')).toBe('Sync approved by admin ok');
    expect(one(`Sync${' '.repeat(500)}click approve`)).toBe('Sync click approve');
    expect(one('a\u00a0\u2003\u3000\u1680b\tc')).toBe('a b c');
    expect(many('Hi\u2028there\r\n\n\n\n\n\nhidden far below')).toBe('Hi\nthere\n\nhidden far below');
  });

  it('[MSG7] compatibility forms fold (NFKC), stacked marks are cut, and the length is bounded after folding', () => {
    expect(one('ｃｌｉｃｋ ａｐｐｒｏｖｅ')).toBe('click approve');
    expect(one('𝐚𝐩𝐩𝐫𝐨𝐯𝐞𝐝')).toBe('approved');
    expect(one('ﬁle')).toBe('file');
    const zalgo = `a${'\u0301\u0302\u0303\u0304\u0305\u0306'.repeat(5)}b`;
    expect([...one(zalgo)]).toHaveLength(1 + 4 + 1);
    // U+FDFA folds to 18 characters: the bound holds on what is kept, not on what was sent.
    expect([...normalizePeerText('\ufdfa'.repeat(50), { maxChars: 200 })].length).toBeLessThanOrEqual(200);
    expect(normalizePeerText('😀'.repeat(10), { maxChars: 3 })).toBe('😀😀😀');
  });

  it('[MSG7] the result is a fixed point, bounded, and holds no invisible or control character', () => {
    const hostile = fc.constantFrom(...INVISIBLE, '\u2028', '\u2029', '\r', '\n', '\t', ' ', 'ﬁ', '\u0301');
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), hostile), {
        maxLength: 40,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 120 }), fc.boolean(), (input, maxChars, multiline) => {
        const once = normalizePeerText(input, { maxChars, multiline });
        expect(normalizePeerText(once, { maxChars, multiline })).toBe(once);
        expect([...once].length).toBeLessThanOrEqual(maxChars);
        expect(once).not.toMatch(/[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Co}\p{Cs}\u2028\u2029\r\t]/u);
        // eslint-disable-next-line no-control-regex
        expect(once).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
        if (!multiline) expect(once).not.toContain('\n');
        expect(once).toBe(once.trim());
      }),
      { seed: 15, numRuns: 500 },
    );
  });
});
