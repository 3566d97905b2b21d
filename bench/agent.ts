/**
 * bench:agent — the built-in command parser over the shared dev set and our held-out set:
 *   accuracy   per field and exact match, scored by the shared grader (grade.mjs) itself;
 *   latency    per command, p50 and p99 over every command × REPEATS (performance.now()).
 * Last line: one JSON object. Target: p99_ms well under 5.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandContext } from '../src/assistant/index';
import { parseCommand } from '../src/assistant/parser/index';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHARED = path.resolve(ROOT, '../shared/vectors/commands');
const SETS = {
  dev: path.join(SHARED, 'dev.jsonl'),
  holdout: path.join(ROOT, 'tests/fixtures/commands/holdout.jsonl'),
};
const REPEATS = 200;

interface Record extends CommandContext {
  readonly id: string;
  readonly text: string;
}
const read = (file: string): Record[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record);

const dir = mkdtempSync(path.join(tmpdir(), 'bench-agent-'));
type Scores = { [field: string]: number };

/** Runs the shared grader on our predictions; its last line is the rates. */
function grade(name: string, file: string): Scores {
  const predictions = read(file).map((r) => {
    try {
      return JSON.stringify({ id: r.id, result: parseCommand(r.text, r) });
    } catch (error) {
      return JSON.stringify({ id: r.id, error: String(error) });
    }
  });
  const predFile = path.join(dir, `${name}.pred.jsonl`);
  writeFileSync(predFile, predictions.join('\n') + '\n');
  const out = execFileSync(process.execPath, [path.join(SHARED, 'grade.mjs'), file, predFile], {
    encoding: 'utf8',
  });
  const lines = out.trim().split('\n');
  return JSON.parse(lines.at(-1)!) as Scores;
}

const scores = { dev: grade('dev', SETS.dev), holdout: grade('holdout', SETS.holdout) };
for (const [name, s] of Object.entries(scores)) {
  console.log(
    `${name.padEnd(8)} n=${s.n}  ${Object.entries(s)
      .filter(([k]) => k !== 'n')
      .map(([k, v]) => `${k}=${v.toFixed(4)}`)
      .join('  ')}`,
  );
}

const all = [...read(SETS.dev), ...read(SETS.holdout)];
for (const r of all) parseCommand(r.text, r); // warm-up: JIT, regexes, chrono
const samples: number[] = [];
for (let rep = 0; rep < REPEATS; rep++) {
  for (const r of all) {
    const start = performance.now();
    parseCommand(r.text, r);
    samples.push(performance.now() - start);
  }
}
samples.sort((a, b) => a - b);
const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
const round = (x: number) => Math.round(x * 1e4) / 1e4;
console.log(
  `latency  ${samples.length} parses: p50=${round(pct(50))} ms  p99=${round(pct(99))} ms  max=${round(samples.at(-1)!)} ms`,
);
console.log(
  JSON.stringify({
    suite: 'agent',
    exact: scores.dev.exact,
    intent: scores.dev.intent,
    window: scores.dev.window,
    p99_ms: round(pct(99)),
    holdout_exact: scores.holdout.exact,
  }),
);
