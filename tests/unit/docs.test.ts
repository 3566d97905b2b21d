import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Keeps the docs honest: rule ids quoted by tests exist, and the README's commands exist. */
const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

function walk(dir: string, keep: (file: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(path.join(ROOT, dir))) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) walk(rel, keep, out);
    else if (keep(rel)) out.push(rel);
  }
  return out;
}

const specFiles = ['docs/protocol.md', ...walk('docs/protocol', (f) => f.endsWith('.md'))];
/** `**AUTH3**` (or a list item `- [VLB1]`) defines AUTH3; `**FAKE1–9**` defines FAKE1 … FAKE9. */
function definedIn(text: string): string[] {
  const pattern = /\*\*([A-Z][A-Z0-9]*?)(\d+)(?:[–-](\d+))?\*\*|^- \[([A-Z][A-Z0-9]*?)(\d+)\]/gm;
  return [...text.matchAll(pattern)].flatMap(([, p1, f1, to, p2, f2]) => {
    const prefix = p1 ?? p2;
    const from = Number(f1 ?? f2);
    const ids: string[] = [];
    for (let n = from; n <= Number(to ?? from); n++) ids.push(`${prefix}${n}`);
    return ids;
  });
}
const defined = new Set(specFiles.flatMap((f) => definedIn(read(f))));
const testFiles = ['src', 'relay', 'tests'].flatMap((d) =>
  walk(d, (f) => /\.(test|test-d|contract)\.tsx?$/.test(f)),
);

describe('docs', () => {
  it('[DOC1] every rule id a test quotes is defined in docs/protocol.md or docs/protocol/*.md', () => {
    const missing: string[] = [];
    for (const file of testFiles) {
      // Ids are quoted in test names: it('[AUTH3] …'), describe('[RAT2] …').
      for (const [, id] of read(file).matchAll(
        /(?:it|test|describe)(?:\.each\([^)]*\))?\(\s*['"`]\[([A-Z][A-Z0-9]*?\d+)\]/g,
      )) {
        if (!defined.has(id!)) missing.push(`${id} (${file})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('[DOC2] every rule of docs/protocol.md and docs/protocol/*.md is quoted by at least one test', () => {
    const quoted = testFiles.map(read).join('\n');
    const unquoted = specFiles.flatMap((file) =>
      definedIn(read(file))
        .filter((id) => !quoted.includes(`[${id}]`))
        .map((id) => `${id} (${file})`),
    );
    expect(unquoted).toEqual([]);
  });

  it('[DOC3] every npm script the README mentions exists, and .ci/run runs the README’s test command', () => {
    const readme = read('README.md');
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts);
    const mentioned = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(mentioned.length).toBeGreaterThan(0);
    expect(mentioned.filter((s) => !scripts.includes(s))).toEqual([]);
    expect(readme).toContain('npm install && npm test');
    expect(readme).toContain('npm install && npm start');
    expect(read('.ci/run')).toMatch(/^npm install\nnpm test$/m);
  });
});
