import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandSchema, type Command, type CommandContext } from '../command';
import { builtinUnderstanding, parseCommand } from './index';

interface Labelled extends CommandContext {
  readonly id: string;
  readonly text: string;
  readonly expect: Command;
}
const readJsonl = (file: string): Labelled[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Labelled);

/** The grader's exact match (grade.mjs): names and unresolved as sets, unresolved case-insensitive. */
function exact(gold: Command, got: Command): boolean {
  const set = (xs: readonly string[]) =>
    JSON.stringify([...new Set(xs.map((x) => x.normalize('NFC').trim()))].sort());
  const lower = (xs: readonly string[]) => xs.map((x) => x.toLowerCase());
  return (
    gold.intent === got.intent &&
    set(gold.participants) === set(got.participants) &&
    set(lower(gold.unresolved)) === set(lower(got.unresolved)) &&
    gold.durationMinutes === got.durationMinutes &&
    JSON.stringify(gold.window) === JSON.stringify(got.window) &&
    gold.partOfDay === got.partOfDay &&
    (gold.text?.trim() || null) === (got.text?.trim() || null)
  );
}
const rate = (records: Labelled[]) =>
  records.filter((r) => exact(r.expect, parseCommand(r.text, r))).length / records.length;

const DEV = path.resolve(import.meta.dirname, '../../../../shared/vectors/commands/dev.jsonl');
const HOLDOUT = path.resolve(import.meta.dirname, '../../../tests/fixtures/commands/holdout.jsonl');

describe('parseCommand', () => {
  it('[CMD17] the shared dev set parses with exact match of at least 0.90', () => {
    expect(rate(readJsonl(DEV))).toBeGreaterThanOrEqual(0.9);
  });

  it('[CMD17] the held-out set written from the rules parses with exact match of at least 0.90', () => {
    expect(rate(readJsonl(HOLDOUT))).toBeGreaterThanOrEqual(0.9);
  });

  it('[CMD18] any text gives a command that satisfies CommandSchema, through the builtin Understanding', async () => {
    const context = {
      now: '2027-12-31T23:59:59',
      timeZone: 'Pacific/Auckland',
      contacts: ['Ana Silva', 'Ana Lee', 'Bo'],
    };
    expect(builtinUnderstanding.provider).toBe('builtin');
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        expect(CommandSchema.safeParse(await builtinUnderstanding.understand(text, context)).success).toBe(
          true,
        );
      }),
      { seed: 13, numRuns: 300 },
    );
    const aborted = AbortSignal.abort();
    await expect(builtinUnderstanding.understand('help', context, aborted)).rejects.toThrow();
  });
});
