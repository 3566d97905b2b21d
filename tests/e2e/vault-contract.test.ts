import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult } from '../../entrypoints/vault-lab/lab-api';
import { makeProfileDir, removeProfileDir, ROOT } from './harness';
import { ensureLabBuilt, launchLab, type LabBrowser } from './lab';

/**
 * The vault contract suite (src/vault/vault.contract.ts), the very function Node runs
 * on fake-indexeddb, run inside the extension on Chromium's IndexedDB and WebCrypto.
 */

/** Cases that may not run in Chromium, with the reason. None today. */
const SKIPPED_IN_CHROMIUM: Readonly<Record<string, string>> = {};

const profile = makeProfileDir('vault-contract');
let lab: LabBrowser;
let results: CaseResult[];
let nodeNames: string[];
let selfTest: CaseResult[];

beforeAll(async () => {
  ensureLabBuilt();
  // What vitest collects in Node for the same suite, without running it.
  const listed = execFileSync(
    'npx',
    ['vitest', 'list', '--project', 'unit', 'src/vault/vault.contract.test.ts', '--json'],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  nodeNames = (JSON.parse(listed.slice(listed.indexOf('['))) as { name: string }[]).map((t) => t.name);
  lab = await launchLab(profile);
  const page = await lab.labPage();
  selfTest = await page.evaluate(() => globalThis.vaultLab.runnerSelfTest());
  results = await page.evaluate(() => globalThis.vaultLab.runContract());
});

afterAll(async () => {
  await lab?.close();
  removeProfileDir(profile);
});

describe('the vault contract in Chromium', () => {
  it('[VLB2] the in-page runner reports failures, timeouts and skips (it can fail)', () => {
    expect(selfTest.map((r) => [r.name, r.state])).toEqual([
      ['self-test > passes', 'pass'],
      ['self-test > fails an equality', 'fail'],
      ['self-test > fails a rejection matcher', 'fail'],
      ['self-test > fails when a promise resolves but should reject', 'fail'],
      ['self-test > fails on timeout', 'fail'],
      ['self-test > is skipped', 'skip'],
    ]);
    expect(selfTest[4]!.error).toMatch(/timed out after 50 ms/);
  });

  it('[VLB1] every case of the Node suite passes in the extension page', () => {
    const failed = results.filter((r) => r.state === 'fail').map((r) => `${r.name}\n    ${r.error}`);
    expect(failed, `failing in Chromium:\n${failed.join('\n')}`).toEqual([]);
    const ran = results.filter((r) => r.state === 'pass').map((r) => r.name);
    const expected = nodeNames.filter((n) => !(n in SKIPPED_IN_CHROMIUM));
    // Same cases, same names, as many as Node runs: nothing silently dropped.
    expect(nodeNames.length).toBeGreaterThan(30);
    expect(ran.sort()).toEqual(expected.sort());
    console.info(`[VLB1] vault contract in Chromium: ${ran.length}/${nodeNames.length} cases passed`);
  });
});

describe('docs/protocol/vault.md and the browser tests agree', () => {
  it('every [VLBn] rule is quoted by an e2e test name, and every quoted id is documented', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/protocol/vault.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/^- \[(VLB\d+)\]/gm)].map((m) => m[1]!));
    const dir = path.join(ROOT, 'tests/e2e');
    const sources = readdirSync(dir)
      .filter((f) => f.startsWith('vault-') && f.endsWith('.test.ts'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    const quoted = new Set([...sources.matchAll(/it\(\s*'\[(VLB\d+)\]/g)].map((m) => m[1]!));
    expect(documented.size).toBeGreaterThan(0);
    expect([...documented].filter((id) => !quoted.has(id))).toEqual([]);
    expect([...quoted].filter((id) => !documented.has(id))).toEqual([]);
  });
});
