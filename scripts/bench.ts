/**
 * `npm run bench`: runs every benchmark suite one after another (each as `npm run bench:<suite>` would, its
 * own output shown as it runs), reads each suite's JSON last line, prints one Markdown table (suite, figure,
 * ours, baseline, ratio, target, met?) and writes it to docs/benchmarks.md with the date, the machine and the
 * versions (BEN1–3, docs/protocol/bench.md). `npm run bench -- ui privacy` runs only those suites and keeps
 * the others' last figures out of the table (they show as not run).
 *
 * Benchmarks measure the machine they run on: run this on a quiet machine, and read the load average the
 * file records beside the numbers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SUITES, type SuiteResult, lastJson, markdown, rows } from '../bench/table';

const ROOT = path.resolve(import.meta.dirname, '..');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((s) => !SUITES.includes(s));
if (unknown.length) {
  console.error(`No benchmark suite named ${unknown.join(', ')}. The suites: ${SUITES.join(', ')}.`);
  process.exit(2);
}
const suites = wanted.length ? wanted : SUITES;

/** Runs one suite, showing its output as it comes, and answers its whole stdout and exit code. */
function run(suite: string): Promise<{ output: string; code: number | null; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', `bench/${suite}.ts`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', (code) =>
      resolve({ output, code, seconds: Math.round((Date.now() - started) / 1000) }),
    );
  });
}

const version = (cmd: string, args: string[]) => {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().split('\n')[0]! : 'not found';
};

const results: Record<string, SuiteResult> = {};
const notes: string[] = [];
for (const suite of suites) {
  console.log(`\n▶ npm run bench:${suite}`);
  const { output, code, seconds } = await run(suite);
  const json = lastJson(output, suite);
  if (json) results[suite] = json;
  notes.push(
    json
      ? `- \`${suite}\`: ${seconds} s. Its last line: \`${JSON.stringify(json)}\``
      : `- \`${suite}\`: did not finish with its JSON line (exit ${code}, ${seconds} s); its rows are empty.`,
  );
}

const table = markdown(rows(results).filter((r) => suites.includes(r.suite)));
const [load1] = os.loadavg();
const commit = version('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
const doc = `# Benchmarks

Made by \`npm run bench\` (scripts/bench.ts) on ${new Date().toISOString().slice(0, 10)}, at commit \`${commit}\`.
Each suite measures our code and, where it has one, a baseline in the same run; the ratio is ours ÷ baseline.
Targets are the ones each suite's issue set. Numbers depend on the machine: rerun to compare.

- Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB memory, load average ${load1?.toFixed(2)} when the run ended.
- Versions: Node ${process.version}; ${version('chromium', ['--version'])}; ${version('redis-server', ['--version'])}.

${table}

## Each suite's own output

${notes.join('\n')}
`;

console.log(`\n${table}\n`);
writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), doc);
// The project's formatter lays the table out, so `npm run check` accepts the file as written.
spawnSync('npx', ['prettier', '--write', 'docs/benchmarks.md'], { cwd: ROOT, stdio: 'ignore' });
console.log('Written to docs/benchmarks.md.');
