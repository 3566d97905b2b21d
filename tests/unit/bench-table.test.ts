import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURES, SUITES, lastJson, markdown, rows } from '../../bench/table';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('[BEN1] the benchmark table', () => {
  it('[BEN1] states ours, the baseline, their ratio, the target and whether it is met', () => {
    const table = rows({
      relay: {
        suite: 'relay',
        relay_per_s: 1300,
        raw_per_s: 2000,
        lost: 0,
        duplicates: 1,
        idle_conn_kb: 18.2,
      },
      privacy: { suite: 'privacy', success: 0.3, oracle_success: 0.31, top3_success: 0.1, rounds_median: 1 },
    });
    const row = (suite: string, figure: string) =>
      table.find((r) => r.suite === suite && r.figure.includes(figure));
    expect(row('relay', 'one node')).toMatchObject({
      ours: 1300,
      baseline: 2000,
      ratio: 0.65,
      target: 'ratio ≥ 0.6',
      met: true,
    });
    expect(row('relay', 'duplicated')).toMatchObject({ ours: 1, target: '≤ 0', met: false });
    expect(row('relay', 'idle')).toMatchObject({ ours: 18.2, met: true });
    expect(row('privacy', 'sharing everything')).toMatchObject({ ratio: 0.97, met: false });
    // No target: judged by nobody.
    expect(row('privacy', 'fixed top 3')).toMatchObject({ ratio: 3, target: '', met: undefined });
    expect(row('privacy', 'rounds')).toMatchObject({ ours: 1, met: true });
  });

  it('[BEN1] a suite that did not run leaves its rows empty and not met, never guessed', () => {
    const table = rows({});
    expect(table).toHaveLength(FIGURES.length);
    for (const r of table) {
      expect(r.ours).toBeUndefined();
      expect(r.met).toBe(r.target ? false : undefined);
    }
  });

  it('[BEN1] every suite in the table is a benchmark with an npm script, and its figures are keys it prints', () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    for (const suite of SUITES) {
      expect(scripts[`bench:${suite}`]).toBe(`tsx bench/${suite}.ts`);
      const source = readFileSync(path.join(ROOT, `bench/${suite}.ts`), 'utf8');
      for (const f of FIGURES.filter((x) => x.suite === suite))
        for (const key of [f.ours, f.baseline].filter(Boolean))
          expect(source, `${suite}.${key}`).toContain(key);
    }
    expect(scripts['bench']).toBe('tsx scripts/bench.ts');
  });
});

describe('[BEN2] the Markdown', () => {
  it('[BEN2] has the columns suite, figure, ours, baseline, ratio, target, met? and bolds what is unmet', () => {
    const text = markdown(
      rows({ scheduling: { suite: 'scheduling', slots_ms_p99: 31.5, speedup: 240 } }).filter(
        (r) => r.suite === 'scheduling',
      ),
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('| suite | figure | ours | baseline | ratio | target | met? |');
    expect(lines).toContain('| scheduling | 10 best slots, p99 (ms) | 31.5 | — | — | ≤ 20 | **no** |');
    expect(lines).toContain(
      '| scheduling | speed-up over a minute-by-minute scan (×) | 240 | — | — | ≥ 20 | yes |',
    );
  });
});

describe('[BEN3] a suite’s JSON line', () => {
  it('[BEN3] is the last line that parses as an object naming the suite', () => {
    const output = [
      'warming up',
      '{"suite":"crypto","aead_us":1}',
      '{ not json, a log line',
      '{"suite":"other"}',
      'done',
    ].join('\n');
    expect(lastJson(output, 'crypto')).toEqual({ suite: 'crypto', aead_us: 1 });
    expect(lastJson('no json at all', 'crypto')).toBeUndefined();
  });
});
