/**
 * [BEN1–3] One table for every benchmark suite (docs/protocol/bench.md). Each suite prints, as its last line,
 * one JSON object; this module reads those objects and states, figure by figure, our number, the baseline the
 * suite measured in the same run (where it has one), their ratio, the target its issue set, and whether it is
 * met. Pure: `scripts/bench.ts` runs the suites and writes `docs/benchmarks.md`.
 */

export type SuiteResult = Record<string, unknown>;

interface Figure {
  suite: string;
  /** What the row measures, in words. */
  figure: string;
  ours: string;
  /** The key of the baseline measured in the same run, if the suite has one. */
  baseline?: string;
  /** Which number the target bounds: ours, or ours ÷ baseline. */
  bound: 'ours' | 'ratio';
  /** `le`: at most; `ge`: at least. */
  op: 'le' | 'ge';
  limit?: number;
}

export const FIGURES: readonly Figure[] = [
  {
    suite: 'agent',
    figure: 'parser exact match, dev set',
    ours: 'exact',
    bound: 'ours',
    op: 'ge',
    limit: 0.9,
  },
  {
    suite: 'agent',
    figure: 'parser exact match, unseen commands',
    ours: 'holdout_exact',
    bound: 'ours',
    op: 'ge',
    limit: 0.9,
  },
  { suite: 'agent', figure: 'parser p99 (ms)', ours: 'p99_ms', bound: 'ours', op: 'le', limit: 5 },
  {
    suite: 'agent',
    figure: 'bytes a cloud model receives vs a naive prompt',
    ours: 'prompt_bytes',
    baseline: 'naive_prompt_bytes',
    bound: 'ratio',
    op: 'le',
    limit: 0.2,
  },
  {
    suite: 'calendar',
    figure: 'full sync of 10k events (ms)',
    ours: 'full_sync_10k_ms',
    bound: 'ours',
    op: 'le',
    limit: 5000,
  },
  {
    suite: 'calendar',
    figure: '10 incremental changes (ms)',
    ours: 'incremental_10_changes_ms',
    bound: 'ours',
    op: 'le',
    limit: 200,
  },
  {
    suite: 'calendar',
    figure: 'API calls for 10 incremental changes',
    ours: 'incremental_calls',
    bound: 'ours',
    op: 'le',
    limit: 2,
  },
  {
    suite: 'crypto',
    figure: 'ratchet message vs raw AEAD (µs)',
    ours: 'ratchet_us',
    baseline: 'aead_us',
    bound: 'ratio',
    op: 'le',
    limit: 2,
  },
  {
    suite: 'crypto',
    figure: 'ping-pong p99 (ms)',
    ours: 'pingpong_p99_ms',
    bound: 'ours',
    op: 'le',
    limit: 1,
  },
  { suite: 'crypto', figure: 'X3DH session set-up (ms)', ours: 'x3dh_ms', bound: 'ours', op: 'le', limit: 2 },
  {
    suite: 'relay',
    figure: 'envelopes/s, one node vs raw socket.io',
    ours: 'relay_per_s',
    baseline: 'raw_per_s',
    bound: 'ratio',
    op: 'ge',
    limit: 0.6,
  },
  {
    suite: 'relay',
    figure: 'envelopes/s, two nodes vs raw socket.io',
    ours: 'relay2_per_s',
    baseline: 'raw2_per_s',
    bound: 'ratio',
    op: 'ge',
    limit: 0.6,
  },
  {
    suite: 'relay',
    figure: 'p99 at 2,000 envelopes/s (ms)',
    ours: 'p99_ms_at_2000',
    baseline: 'raw_p99_ms_at_2000',
    bound: 'ratio',
    op: 'le',
    limit: 2,
  },
  { suite: 'relay', figure: 'envelopes lost', ours: 'lost', bound: 'ours', op: 'le', limit: 0 },
  { suite: 'relay', figure: 'envelopes duplicated', ours: 'duplicates', bound: 'ours', op: 'le', limit: 0 },
  {
    suite: 'relay',
    figure: 'memory per idle connection (KB)',
    ours: 'idle_conn_kb',
    bound: 'ours',
    op: 'le',
    limit: 20,
  },
  {
    suite: 'scheduling',
    figure: '10 best slots, p99 (ms)',
    ours: 'slots_ms_p99',
    bound: 'ours',
    op: 'le',
    limit: 20,
  },
  {
    suite: 'scheduling',
    figure: 'speed-up over a minute-by-minute scan (×)',
    ours: 'speedup',
    bound: 'ours',
    op: 'ge',
    limit: 20,
  },
  {
    suite: 'vault',
    figure: '10k events through the vault vs raw IndexedDB (ms)',
    ours: 'put_10k_ms',
    baseline: 'raw_put_10k_ms',
    bound: 'ratio',
    op: 'le',
    limit: 2,
  },
  {
    suite: 'vault',
    figure: 'a week of events vs the same read raw (ms)',
    ours: 'week_query_ms',
    baseline: 'raw_week_query_ms',
    bound: 'ratio',
    op: 'le',
    limit: 2,
  },
  {
    suite: 'vault',
    figure: 'a week of events (ms)',
    ours: 'week_query_ms',
    bound: 'ours',
    op: 'le',
    limit: 10,
  },
  { suite: 'vault', figure: 'unlock (ms)', ours: 'unlock_ms', bound: 'ours', op: 'le', limit: 1000 },
  {
    suite: 'ui',
    figure: 'service worker cold start to ready (ms)',
    ours: 'worker_ready_ms',
    bound: 'ours',
    op: 'le',
    limit: 500,
  },
  {
    suite: 'ui',
    figure: 'popup open to interactive (ms)',
    ours: 'popup_ms',
    bound: 'ours',
    op: 'le',
    limit: 150,
  },
  {
    suite: 'ui',
    figure: 'palette open to focused input (ms)',
    ours: 'palette_ms',
    bound: 'ours',
    op: 'le',
    limit: 100,
  },
  {
    suite: 'ui',
    figure: 'side panel first paint (ms)',
    ours: 'sidepanel_ms',
    bound: 'ours',
    op: 'le',
    limit: 200,
  },
  { suite: 'ui', figure: 'background bundle (KB)', ours: 'background_kb', bound: 'ours', op: 'le' },
  {
    suite: 'privacy',
    figure: 'meetings found vs sharing everything',
    ours: 'success',
    baseline: 'oracle_success',
    bound: 'ratio',
    op: 'ge',
    limit: 0.99,
  },
  {
    suite: 'privacy',
    figure: 'meetings found vs a fixed top 3',
    ours: 'success',
    baseline: 'top3_success',
    bound: 'ratio',
    op: 'ge',
  },
  {
    suite: 'privacy',
    figure: 'free time disclosed, median',
    ours: 'disclosed_median',
    bound: 'ours',
    op: 'le',
    limit: 0.05,
  },
  { suite: 'privacy', figure: 'free time disclosed, p90', ours: 'disclosed_p90', bound: 'ours', op: 'le' },
  {
    suite: 'privacy',
    figure: 'rounds per meeting, median',
    ours: 'rounds_median',
    bound: 'ours',
    op: 'le',
    limit: 2,
  },
  {
    suite: 'privacy',
    figure: 'messages per meeting, median',
    ours: 'messages_median',
    bound: 'ours',
    op: 'le',
  },
  {
    suite: 'privacy',
    figure: 'decisions asked of each person',
    ours: 'decisions_per_person',
    bound: 'ours',
    op: 'le',
    limit: 1,
  },
  {
    suite: 'privacy',
    figure: 'chosen slot vs the best one (regret), median',
    ours: 'slot_regret_median',
    bound: 'ours',
    op: 'le',
  },
];

export const SUITES = [...new Set(FIGURES.map((f) => f.suite))];

export interface Row {
  suite: string;
  figure: string;
  ours?: number;
  baseline?: number;
  ratio?: number;
  target: string;
  /** undefined: no target, or no number to judge. */
  met?: boolean;
}

const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/**
 * [BEN1] One row per figure. A suite that did not run (or printed no JSON) gives rows with no numbers and
 * "not met", never a guess; a figure a suite no longer prints is the same.
 */
export function rows(results: Partial<Record<string, SuiteResult>>): Row[] {
  return FIGURES.map((f) => {
    const result = results[f.suite];
    const ours = number(result?.[f.ours]);
    const baseline = f.baseline ? number(result?.[f.baseline]) : undefined;
    const ratio = ours !== undefined && baseline ? Math.round((ours / baseline) * 100) / 100 : undefined;
    const judged = f.bound === 'ours' ? ours : ratio;
    const target =
      f.limit === undefined
        ? ''
        : `${f.bound === 'ratio' ? 'ratio ' : ''}${f.op === 'le' ? '≤' : '≥'} ${f.limit}`;
    const met =
      f.limit === undefined
        ? undefined
        : judged === undefined
          ? false
          : f.op === 'le'
            ? judged <= f.limit
            : judged >= f.limit;
    return { suite: f.suite, figure: f.figure, ours, baseline, ratio, target, met };
  });
}

const show = (n: number | undefined) =>
  n === undefined ? '—' : Number.isInteger(n) ? n.toLocaleString('en-US') : String(n);

/** [BEN2] The Markdown table: suite, figure, ours, baseline, ratio, target, met?. */
export function markdown(table: readonly Row[]): string {
  const lines = [
    '| suite | figure | ours | baseline | ratio | target | met? |',
    '|---|---|---:|---:|---:|---|---|',
    ...table.map(
      (r) =>
        `| ${r.suite} | ${r.figure} | ${show(r.ours)} | ${show(r.baseline)} | ${show(r.ratio)} | ${r.target || '—'} | ${
          r.met === undefined ? '—' : r.met ? 'yes' : '**no**'
        } |`,
    ),
  ];
  return lines.join('\n');
}

/** The last line of a suite's output that is a JSON object naming the suite, or undefined. */
export function lastJson(output: string, suite: string): SuiteResult | undefined {
  const lines = output.trim().split('\n').reverse();
  for (const line of lines) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    try {
      const value = JSON.parse(text) as unknown;
      if (value && typeof value === 'object' && (value as SuiteResult)['suite'] === suite)
        return value as SuiteResult;
    } catch {
      // Not JSON (a log line that starts with a brace): keep looking upwards.
    }
  }
  return undefined;
}
