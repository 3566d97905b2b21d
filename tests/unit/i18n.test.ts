import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type Catalog, render, t, useCatalog } from '../../src/ui/i18n';

/**
 * Keeps the interface translatable: every string the person reads lives in the locale files, every locale
 * is complete, and the UI code holds none of its own (I18N1–4, docs/protocol/i18n.md).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const LOCALES = path.join(ROOT, 'assets/public/_locales');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const catalogOf = (lang: string): Catalog =>
  JSON.parse(readFileSync(path.join(LOCALES, lang, 'messages.json'), 'utf8')) as Catalog;
const languages = readdirSync(LOCALES);
const english = catalogOf('en');

function walk(dir: string, keep: (file: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(path.join(ROOT, dir))) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) walk(rel, keep, out);
    else if (keep(rel)) out.push(rel);
  }
  return out;
}

/** The code that puts words in front of the person: pages, their components, notifications, the layer. */
const UI_CODE = ['src/ui', 'src/surfaces', 'entrypoints']
  .flatMap((dir) => walk(dir, (f) => /\.tsx?$/.test(f) && !/\.test(-d)?\.tsx?$/.test(f)))
  .filter((f) => !f.startsWith('entrypoints/vault-lab'));

/** Attributes the person reads or hears (a screen reader reads aria-label, title, alt). */
const VISIBLE_ATTRIBUTES = new Set([
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-valuetext',
  'title',
  'placeholder',
  'alt',
  'label',
]);
/** Names that are the same in every language. */
const PROPER_NAMES = new Set(['Parley', 'Google', 'Google Calendar', 'OpenAI', 'Chrome', 'Firefox', 'iCal']);
/** Calls whose string arguments are code, not words: selectors, events, logs, storage keys, formats. */
const CODE_CALLS =
  /^(t|querySelector|querySelectorAll|closest|matches|addEventListener|removeEventListener|getElementById|setAttribute|getAttribute|removeAttribute|toggleAttribute|createElement|matchMedia|log|warn|error|info|debug|trace|call|rpc|send|sendMessage|dispatch|get|set|remove|getURL|require|import|Symbol|getPropertyValue|setProperty|startsWith|endsWith|includes|split|replace|replaceAll|join|test|match|padStart|padEnd|DateTimeFormat|RelativeTimeFormat|NumberFormat|ListFormat|PluralRules|Collator|DisplayNames|focus|emit|on|once|off)$/;

/** Words: a letter followed by more letters and a space or another word, or a capitalised word. */
function looksLikeWords(text: string): boolean {
  const trimmed = text.trim();
  if (!/\p{L}/u.test(trimmed) || PROPER_NAMES.has(trimmed)) return false;
  if (/\p{L}[\p{L}'’]*[\s\u00a0]+[\p{L}(]/u.test(trimmed)) return true; // two words or more
  if (/^\p{Lu}\p{Ll}+[.!?…:]?$/u.test(trimmed)) return true; // "Save", "Approve", "Done."
  return /[’…]|\p{Ll}[.!?]$/u.test(trimmed); // "don’t", "Loading…", "failed."
}

interface Finding {
  file: string;
  line: number;
  text: string;
}

function stringsOutsideCatalog(file: string, text = read(file)): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Finding[] = [];
  const report = (node: ts.Node, text: string) =>
    found.push({
      file,
      line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
      text: text.trim().slice(0, 60),
    });

  const isCode = (node: ts.Node): boolean => {
    let child = node;
    for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
      if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent)) return true;
      if (ts.isTypeNode(parent) || ts.isLiteralTypeNode(parent)) return true;
      if (ts.isCaseClause(parent) && parent.expression === child) return true;
      if (ts.isPropertyAssignment(parent) && parent.name === child) return true;
      if (ts.isElementAccessExpression(parent) && parent.argumentExpression === child) return true;
      if (
        ts.isBinaryExpression(parent) &&
        [
          ts.SyntaxKind.EqualsEqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsEqualsToken,
          ts.SyntaxKind.EqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsToken,
          ts.SyntaxKind.InKeyword,
        ].includes(parent.operatorToken.kind)
      )
        return true;
      if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
        const callee = parent.expression;
        const name = ts.isPropertyAccessExpression(callee)
          ? callee.name.text
          : ts.isIdentifier(callee)
            ? callee.text
            : '';
        if (CODE_CALLS.test(name)) return true;
        // `new Error('…')` is for developers: what the person reads is the error's code, translated.
        if (ts.isNewExpression(parent) && /Error$/.test(name)) return true;
        return false;
      }
      if (ts.isJsxAttribute(parent)) {
        const name = parent.name.getText(source);
        return !VISIBLE_ATTRIBUTES.has(name);
      }
      if (ts.isJsxElement(parent) || ts.isJsxSelfClosingElement(parent) || ts.isJsxFragment(parent))
        return false;
      if (ts.isBlock(parent) || ts.isSourceFile(parent)) return false;
    }
    return false;
  };

  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) {
      if (looksLikeWords(node.text) || /\p{L}{2,}/u.test(node.text.replace(/Parley/g, '')))
        report(node, node.text);
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (looksLikeWords(node.text) && !isCode(node)) report(node, node.text);
    } else if (ts.isTemplateExpression(node)) {
      const parts = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
      if (looksLikeWords(parts) && !isCode(node)) report(node, parts);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('[I18N1] locale files', () => {
  it('[I18N1] every locale holds exactly the English keys, with the same placeholders', () => {
    expect(languages).toContain('en');
    expect(languages.length).toBeGreaterThanOrEqual(2);
    for (const lang of languages) {
      const catalog = catalogOf(lang);
      expect(Object.keys(catalog).sort(), `${lang} keys`).toEqual(Object.keys(english).sort());
      for (const [key, entry] of Object.entries(english)) {
        const theirs = catalog[key]!;
        expect(theirs.message.trim(), `${lang}/${key} is empty`).not.toBe('');
        const names = (e: typeof entry) => Object.keys(e.placeholders ?? {}).sort();
        expect(names(theirs), `${lang}/${key} placeholders`).toEqual(names(entry));
        // Every placeholder is used in the message, in every language.
        for (const name of names(entry))
          expect(theirs.message.toLowerCase(), `${lang}/${key} uses $${name}$`).toContain(
            `$${name.toLowerCase()}$`,
          );
      }
    }
  });

  it('[I18N1] t() renders a message with its placeholders filled, by Chrome’s rules', () => {
    const catalog: Catalog = {
      greeting: {
        message: 'Hello $NAME$, $COUNT$ waiting ($$5)',
        placeholders: { name: { content: '$1' }, count: { content: '$2' } },
      },
    };
    expect(render(catalog['greeting'], ['Ana', '3'])).toBe('Hello Ana, 3 waiting ($5)');
    useCatalog(english);
    try {
      expect(t('extName')).toBe('Parley');
      expect(t('commandOpenPalette')).toBe(english['commandOpenPalette']!.message);
      useCatalog(catalogOf('de'));
      expect(t('commandOpenPalette')).toBe(catalogOf('de')['commandOpenPalette']!.message);
    } finally {
      useCatalog(undefined);
    }
  });

  it('[I18N3] the manifest’s own words come from the locale files, English by default', () => {
    const config = read('wxt.config.ts');
    expect(config).toMatch(/default_locale:\s*'en'/);
    for (const key of ['extName', 'extDescription', 'commandOpenPalette'])
      expect(config).toContain(`__MSG_${key}__`);
  });

  it('[I18N4] every message in the catalog is used by the code (no dead translations)', () => {
    const code = ['src', 'entrypoints']
      .flatMap((dir) => walk(dir, (f) => /\.(tsx?|html)$/.test(f)))
      .map(read)
      .concat(read('wxt.config.ts'))
      .join('\n');
    const unused = Object.keys(english).filter(
      (key) => !code.includes(`'${key}'`) && !code.includes(`"${key}"`) && !code.includes(`__MSG_${key}__`),
    );
    expect(unused).toEqual([]);
  });
});

describe('[I18N2] no user-visible string outside the locale files', () => {
  it('[I18N2] the scanner finds words in JSX text, visible attributes and string literals', () => {
    const sample = 'sample.tsx';
    const text = [
      'const a = <p>Find a time</p>;',
      "const b = <input aria-label='Your name' className='field wide' />;",
      "const c = { label: 'Save' };",
      "const d = t('extName');",
      "if (e.key === 'Enter') go();",
      'const f = `${n} minutes ago`;',
    ].join('\n');
    expect(stringsOutsideCatalog(sample, text).map((f) => [f.line, f.text])).toEqual([
      [1, 'Find a time'],
      [2, 'Your name'],
      [3, 'Save'],
      [6, 'minutes ago'],
    ]);
    expect(looksLikeWords('Your name')).toBe(true);
    expect(looksLikeWords('Save')).toBe(true);
    expect(looksLikeWords(' minutes ago')).toBe(true);
    expect(looksLikeWords('field-wide')).toBe(false);
    expect(looksLikeWords('negotiations.list')).toBe(false);
    expect(looksLikeWords('Parley')).toBe(false);
  });

  it('[I18N2] UI code holds no words of its own: they come from _locales through t()', () => {
    const findings = UI_CODE.flatMap((file) => stringsOutsideCatalog(file));
    expect(findings.map((f) => `${f.file}:${f.line} ${JSON.stringify(f.text)}`)).toEqual([]);
  });
});
