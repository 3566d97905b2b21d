/**
 * bench:agent — the built-in command parser over the shared dev set and our held-out set:
 *   accuracy   per field and exact match, scored by the shared grader (grade.mjs) itself;
 *   latency    per command, p50 and p99 over every command × REPEATS (performance.now()).
 *   privacy    the bytes a cloud model receives per command (the real request the OpenAI-compatible
 *              provider sends, recorded by the fake server), against a naive baseline that sends the same
 *              request plus the contact list and a week of real Google Calendar events.
 *              The same in a chat: each command with the summary of the eight before it (CHT4).
 * Last line: one JSON object. Targets: exact ≥ 0.90, p99_ms ≤ 5, ratio ≤ 0.2.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandContext } from '../src/assistant/index';
import {
  CommandSchema,
  commandOf,
  openAiUnderstanding,
  summarizeTurns,
  type ChatTurn,
} from '../src/assistant/index';
import { builtinUnderstanding, parseCommand } from '../src/assistant/parser/index';
import { startFakeOpenAi } from '../tests/fakes/openai/index';

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
  readonly expect: unknown;
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
// What a cloud model receives: each dev command through the real provider and SDK to the fake server.
// The fake answers every request with one valid tool call, so each command costs exactly one request.
const fake = await startFakeOpenAi({
  defaultReply: {
    kind: 'tool',
    arguments: commandOf('help'),
  },
});
const provider = openAiUnderstanding({
  baseURL: fake.baseURL,
  apiKey: 'bench',
  model: 'bench',
  fallback: builtinUnderstanding,
});
// The naive baseline's extra: the contacts and a week of real events (a page of Google Calendar's API).
const week = JSON.parse(
  readFileSync(
    path.resolve(
      ROOT,
      '../shared/vectors/gcal/compass-sync-fixtures/core-mocks__gcalEvents_page_with_nextPageToken.json',
    ),
    'utf8',
  ),
) as { items: unknown[] };
let ours = 0;
let naive = 0;
let inChat = 0;
const dev = read(SETS.dev);
/** One request's bytes as the fake server received them. */
async function bytesSent(text: string, context: CommandContext, id: string): Promise<number> {
  const before = fake.requests.length;
  await provider.understand(text, context);
  if (fake.requests.length !== before + 1) throw new Error(`expected one request for ${id}`);
  return fake.requests.slice(before).reduce((n, q) => n + Buffer.byteLength(q.raw), 0);
}
for (const [i, r] of dev.entries()) {
  const sent = await bytesSent(r.text, r, r.id);
  ours += sent;
  naive += sent + Buffer.byteLength(JSON.stringify({ contacts: r.contacts, events: week.items }));
  // In a chat: the same command with the summary of the eight before it (CHT4), as the chat sends it.
  const turns: ChatTurn[] = dev.slice(Math.max(0, i - 8), i).map((p, j) => ({
    id: p.id,
    at: j,
    role: 'agent',
    text: '',
    command: CommandSchema.parse(p.expect),
  }));
  const earlier = summarizeTurns(turns);
  inChat += await bytesSent(r.text, { ...r, ...(earlier && { earlier }) }, r.id);
}
await fake.close();
const promptBytes = Math.round(ours / dev.length);
const naiveBytes = Math.round(naive / dev.length);
const inChatBytes = Math.round(inChat / dev.length);
console.log(`privacy  per command: ${promptBytes} bytes to the model; naive baseline ${naiveBytes} bytes`);
console.log(`privacy  per command in a chat (with the summary of 8 earlier requests): ${inChatBytes} bytes`);
console.log(
  JSON.stringify({
    suite: 'agent',
    exact: scores.dev.exact,
    intent: scores.dev.intent,
    window: scores.dev.window,
    p99_ms: round(pct(99)),
    holdout_exact: scores.holdout.exact,
    prompt_bytes: promptBytes,
    naive_prompt_bytes: naiveBytes,
    ratio: Math.round((promptBytes / naiveBytes) * 100) / 100,
    prompt_bytes_in_chat: inChatBytes,
    ratio_in_chat: Math.round((inChatBytes / naiveBytes) * 100) / 100,
  }),
);
