import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clearFieldsOf, VAULT_SCHEMA } from './schema';

const here = fileURLToPath(new URL('.', import.meta.url));
const doc = readFileSync(new URL('../../docs/protocol/vault.md', import.meta.url), 'utf8');

describe('docs/protocol/vault.md stays honest', () => {
  it('lists exactly the clear fields and category of every registry store', () => {
    const rows = doc
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|').map((c) => c.trim()));
    const documented = Object.fromEntries(
      rows.map((r) => [
        r[1]!.match(/`(\w+)`/)![1]!,
        { category: r[2], clear: [...r[3]!.matchAll(/`(\w+)`/g)].map((m) => m[1]), prune: r[4] },
      ]),
    );
    const expected = Object.fromEntries(
      Object.entries(VAULT_SCHEMA.stores).map(([name, spec]) => [
        name,
        {
          category: spec.category,
          clear: [...clearFieldsOf(spec)],
          prune: spec.pruneBy === undefined ? '—' : `\`${spec.indexes[spec.pruneBy]!.keyPath as string}\``,
        },
      ]),
    );
    expected.blobs = { category: 'history', clear: ['id'], prune: '—' };
    expect(documented).toEqual(expected);
  });

  it('has a test quoting every rule id, and every quoted id is documented', () => {
    const ruleIds = new Set([...doc.matchAll(/^- \*\*([A-Z]{3}\d+)\*\*/gm)].map((m) => m[1]!));
    const tests = readdirSync(here)
      .filter((f) => f.endsWith('.test.ts') || f.endsWith('.contract.ts'))
      .map((f) => readFileSync(`${here}/${f}`, 'utf8'))
      .join('\n');
    const quoted = new Set(
      [...tests.matchAll(/it\('((?:\[[A-Z]{3}\d+\])+)/g)].flatMap((m) => m[1]!.match(/[A-Z]{3}\d+/g)!),
    );
    expect([...ruleIds].filter((id) => !quoted.has(id))).toEqual([]);
    expect([...quoted].filter((id) => !ruleIds.has(id))).toEqual([]);
  });
});
