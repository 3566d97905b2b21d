import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * [LOG2] Every catch handles the error or logs it; one that ignores it says why, in a comment beside it.
 * "Handles" is read narrowly: the handler uses the caught value (shows it, rethrows it, maps it), logs,
 * throws, or carries a comment. `catch {}` and `.catch(() => undefined)` with nothing else fail.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) {
      if (!name.startsWith('.') && name !== 'node_modules' && !name.endsWith('-lab')) sources(rel, out);
    } else if (
      /\.tsx?$/.test(name) &&
      !/\.(test|test-d|contract)\.tsx?$/.test(name) &&
      !name.includes('test-support')
    )
      out.push(rel);
  }
  return out;
}

/** The text from `open` (an opening bracket's index) to its matching close. */
function balanced(text: string, open: number): string {
  const pairs: Record<string, string> = { '{': '}', '(': ')' };
  const close = pairs[text[open]!]!;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === text[open]) depth++;
    else if (text[i] === close && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

export function silentCatches(text: string): { line: number; handler: string }[] {
  const found: { line: number; handler: string }[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  /** A comment on the line before the catch, or on its own line. */
  const commentBefore = (index: number) => {
    const end = text.indexOf('\n', index);
    const lines = text.slice(0, end === -1 ? undefined : end).split('\n');
    return /\/\/|\/\*|\*\//.test(`${lines.at(-2) ?? ''}\n${lines.at(-1) ?? ''}`);
  };
  const handled = (body: string, bound: string | undefined) =>
    /\/\/|\/\*|\blog\.|console\.|\bthrow\b|errorFields/.test(body) ||
    (bound !== undefined && new RegExp(`\\b${bound}\\b`).test(body));

  for (const m of text.matchAll(/\bcatch\s*(?:\(\s*(\w+)[^)]*\))?\s*\{/g)) {
    const body = balanced(text, m.index + m[0].length - 1);
    if (!handled(body, m[1]) && !commentBefore(m.index))
      found.push({ line: lineOf(m.index), handler: body.trim() });
  }
  for (const m of text.matchAll(/\.catch\(\s*(?:\(\s*(\w*)[^)]*\)|(\w+))\s*=>\s*/g)) {
    const start = m.index + m[0].length;
    const body =
      text[start] === '{' ? balanced(text, start) : balanced(text, m.index + 6).slice(m[0].length - 7);
    if (!handled(body, m[1] || m[2]) && !commentBefore(m.index))
      found.push({ line: lineOf(m.index), handler: body.trim() });
  }
  return found;
}

describe('[LOG2] no error is dropped without a reason', () => {
  it('finds what it should (the checker itself)', () => {
    expect(silentCatches('try { a(); } catch {}')).toHaveLength(1);
    expect(silentCatches('p.catch(() => undefined);')).toHaveLength(1);
    expect(silentCatches('try { a(); } catch (e) { show(e); }')).toEqual([]);
    expect(silentCatches('p.catch((error) => log.warn("x", errorFields(error)));')).toEqual([]);
    expect(silentCatches('p.catch(() => {\n  // no page is open to hear it\n});')).toEqual([]);
    expect(silentCatches('// the file may not exist yet\np.catch(() => undefined);')).toEqual([]);
  });

  it('every catch in src/ and entrypoints/ handles, logs, or says why not', () => {
    const silent = [...sources('src'), ...sources('entrypoints')].flatMap((file) =>
      silentCatches(readFileSync(path.join(ROOT, file), 'utf8')).map(
        ({ line, handler }) => `${file}:${line} ${handler}`,
      ),
    );
    expect(silent).toEqual([]);
  });
});
