import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoReport } from '../../scripts/demo';
import { commonFreeStarts } from '../../scripts/demo/calendars';
import { ROOT, ensureBuilt, waitFor } from './harness';

/**
 * `npm run demo -- --headless`, the real script in a child process of its own (its own process group, as a
 * terminal runs it), read back through the report it writes (docs/protocol/demo.md).
 */
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const outDirs: string[] = [];

interface Run {
  code: Promise<number | null>;
  output: () => string;
  pid: number;
}

function startDemo(outDir: string): Run {
  let output = '';
  const child = spawn(TSX, ['scripts/demo.ts', '--headless', '--out', outDir], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PARLEY_SKIP_BUILD: '1', DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, output: () => output, pid: child.pid! };
}

const readReport = (outDir: string) =>
  JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as DemoReport;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process, which is what is being checked for.
    return false;
  }
};

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );

/** Everything the report says was started is gone. */
async function expectAllStopped(report: DemoReport, browsers = 3) {
  expect(report.started.browserPids.length).toBeGreaterThanOrEqual(browsers);
  expect(report.started.profileDirs.length).toBeGreaterThanOrEqual(report.started.browserPids.length);
  await waitFor(() => report.started.browserPids.every((pid) => !alive(pid)), 10_000, 'the browsers to exit');
  for (const dir of report.started.profileDirs) expect(existsSync(dir)).toBe(false);
  for (const url of [report.started.relayUrl!, ...report.started.fakeUrls])
    expect(await answers(url)).toBe(false);
}

beforeAll(() => ensureBuilt());

afterAll(() => outDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const newOutDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-demo-out-'));
  outDirs.push(dir);
  return dir;
};

describe('npm run demo', () => {
  it('[DEMO1][DEMO2] headless: one meeting is booked in each calendar at the same instant, the report and a screenshot per step say so, and everything it started is stopped', async () => {
    const outDir = newOutDir();
    const run = startDemo(outDir);
    const code = await run.code;
    expect(code, run.output()).toBe(0);
    const report = readReport(outDir);
    expect(report.ok).toBe(true);
    expect(report.mode).toBe('headless');

    const events = (['Ana', 'Ben', 'Cy'] as const).map((name) => report.calendars[name]);
    for (const list of events) expect(list).toHaveLength(1);
    const [ana, ben, cy] = events.map((list) => list[0]!);
    expect(ana!.title).toBe('Meeting with Ben and Cy');
    expect(ben!.title).toBe('Meeting with Ben and Cy (with Ana)');
    expect(cy!.title).toBe('Meeting with Ben and Cy (with Ana)');
    expect(new Set(events.map((list) => Date.parse(list[0]!.start))).size).toBe(1);
    expect(Date.parse(ana!.end) - Date.parse(ana!.start)).toBe(30 * 60_000);
    // The only half-hour the seeded calendars leave free for all three, worked out here from the seeds.
    const expected = commonFreeStarts(Temporal.PlainDate.from(report.tomorrow));
    expect(expected).toHaveLength(1);
    expect(Date.parse(ana!.start)).toBe(expected[0]);
    expect(report.oneEventPerCalendar).toBe(true);
    expect(report.sameInstant).toBe(true);

    // Every approval was asked for and given, by each person, and each step with a page has its picture.
    // Ana's request was her consent (ASK1): she is not asked again. Ben and Cy each decide once.
    const approvals = (name: string) =>
      report.steps.filter((s) => s.person === name && s.title.startsWith(`${name} approves`)).length;
    expect([approvals('Ana'), approvals('Ben'), approvals('Cy')]).toEqual([0, 1, 1]);
    const pictures = report.steps.flatMap((s) => (s.screenshot ? [s.screenshot] : []));
    expect(pictures.length).toBeGreaterThanOrEqual(12);
    for (const file of pictures) {
      const png = readFileSync(path.join(outDir, file));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    const markdown = readFileSync(path.join(outDir, 'report.md'), 'utf8');
    expect(markdown).toContain('One new event in each calendar: yes; all at the same instant: yes');
    expect(run.output()).toContain(outDir);

    await expectAllStopped(report);
  }, 420_000);

  it('[DEMO2] Ctrl+C while it runs stops everything it started, and the exit code says it did not finish', async () => {
    const outDir = newOutDir();
    const run = startDemo(outDir);
    // Once the relay, the fakes and a browser with its profile are running, Ctrl+C reaches the whole
    // process group, as in a terminal.
    await waitFor(() => /Ana is set up/.test(run.output()), 300_000, 'the demo to set Ana up');
    process.kill(-run.pid, 'SIGINT');
    const code = await run.code;
    expect(code, run.output()).toBe(130);
    const report = readReport(outDir);
    expect(report.ok).toBe(false);
    await expectAllStopped(report, 1);
  }, 420_000);
});
