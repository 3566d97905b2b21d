import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Keeps docs/protocol/scheduling.md and the tests honest with each other.
const here = import.meta.dirname;
const spec = readFileSync(join(here, '../../docs/protocol/scheduling.md'), 'utf8');
const ruleIds = new Set([...spec.matchAll(/^- \*\*([A-Z]{3}\d+)\*\*/gm)].map((m) => m[1]!));
const quoted = new Set<string>();
for (const f of readdirSync(here).filter((f) => f.endsWith('.test.ts'))) {
  for (const m of readFileSync(join(here, f), 'utf8').matchAll(/it\(\s*'((?:\[[A-Z]{3}\d+\])+)/g)) {
    for (const id of m[1]!.match(/[A-Z]{3}\d+/g)!) quoted.add(id);
  }
}

describe('spec', () => {
  it('every rule in docs/protocol/scheduling.md has a test, and every test quotes a real rule', () => {
    expect(ruleIds.size).toBeGreaterThan(30);
    expect([...ruleIds].filter((id) => !quoted.has(id))).toEqual([]);
    expect([...quoted].filter((id) => !ruleIds.has(id))).toEqual([]);
  });
});
