import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * wxt.config.ts declares src/ui and src/rpc free of side effects at import, so that each page gets its own
 * chunk (docs/protocol/surfaces.md PERF1). That holds only while no code needs one of their modules for its
 * side effects alone: a bare `import './x'` of such a module would be dropped from the build without a word.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) walk(rel, out);
    else if (/\.tsx?$/.test(name) && !/\.test(-d)?\.tsx?$/.test(name)) out.push(rel);
  }
  return out;
}

/** Where a module specifier points, relative to the repository (undefined: a package). */
function target(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('@/')) return specifier.slice(2);
  if (specifier.startsWith('.')) return path.join(path.dirname(from), specifier);
  return undefined;
}

describe('interface speed', () => {
  it('[PERF2] no module of src/ui or src/rpc has side effects at import, and none is imported for them alone', () => {
    const problems: string[] = [];
    for (const file of [...walk('src'), ...walk('entrypoints')]) {
      const source = readFileSync(path.join(ROOT, file), 'utf8');
      for (const [, specifier] of source.matchAll(/^import\s+['"]([^'"]+)['"]/gm)) {
        const to = target(file, specifier!);
        if (to && /^src\/(ui|rpc)(\/|$)/.test(to) && !to.endsWith('.css'))
          problems.push(`${file}: import '${specifier}'`);
      }
      if (!/^src\/(ui|rpc)\//.test(file)) continue;
      // A top-level statement that is not a declaration (a call, an assignment, a loop) runs at import.
      const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false);
      for (const statement of tree.statements)
        if (
          ts.isExpressionStatement(statement) ||
          ts.isIfStatement(statement) ||
          ts.isForStatement(statement) ||
          ts.isForOfStatement(statement) ||
          ts.isBlock(statement)
        )
          problems.push(`${file}: ${statement.getText(tree).slice(0, 80)}`);
    }
    expect(problems).toEqual([]);
  });
});
