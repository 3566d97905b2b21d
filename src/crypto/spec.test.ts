import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Keeps docs/protocol/crypto.md and the tests honest with each other. */
const here = fileURLToPath(new URL('.', import.meta.url));
const spec = readFileSync(fileURLToPath(new URL('../../docs/protocol/crypto.md', import.meta.url)), 'utf8');
const ruleIds = new Set([...spec.matchAll(/^- \*\*([A-Z0-9]+\d)\*\* —/gm)].map((m) => m[1]!));
const testSources = readdirSync(here)
  // identity.test.ts predates this document and quotes the walking skeleton's rules.
  .filter((file) => file.endsWith('.test.ts') && !['spec.test.ts', 'identity.test.ts'].includes(file))
  .map((file) => readFileSync(`${here}/${file}`, 'utf8'));
const quotedIds = new Set(
  testSources.flatMap((source) =>
    [...source.matchAll(/it\(\s*[`'"]((?:\[[A-Z0-9]+\])+)/g)].flatMap((m) =>
      [...m[1]!.matchAll(/\[([A-Z0-9]+)\]/g)].map((id) => id[1]!),
    ),
  ),
);

describe('docs/protocol/crypto.md', () => {
  it('defines rules', () => {
    expect(ruleIds.size).toBeGreaterThan(30);
  });

  it('every rule is quoted by at least one test name', () => {
    expect([...ruleIds].filter((id) => !quotedIds.has(id))).toEqual([]);
  });

  it('every rule quoted by a test exists in the document', () => {
    expect([...quotedIds].filter((id) => !ruleIds.has(id))).toEqual([]);
  });
});
