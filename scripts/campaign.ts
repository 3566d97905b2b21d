/**
 * npm run test:campaign [-- --seeds N] [--from S] [--misbehave[=kind,kind|none]]
 * npm run test:campaign -- --seed S          replays one seed exactly and prints its trace
 *
 * The randomized fault campaign (docs/protocol/scheduling.md, CMP rules): seeds S … S+N−1 (default
 * 1 … 200), each a run of 2–6 agents through the product's interpreter over an unreliable network, with
 * restarts, failing calendars and (by default) a misbehaving peer. Prints one line per failing seed
 * with its violations and the command that replays it, then a summary; exits 1 when any seed fails.
 */
import {
  MISBEHAVIOURS,
  type Misbehaviour,
  type RunReport,
  formatViolation,
  runSeed,
} from '../src/scheduling/campaign';

const argv = process.argv.slice(2);
function option(flag: string): string | undefined {
  const inline = argv.find((a) => a.startsWith(`${flag}=`));
  if (inline) return inline.slice(flag.length + 1);
  const at = argv.indexOf(flag);
  return at >= 0 ? argv[at + 1] : undefined;
}
function integer(flag: string, fallback: number): number {
  const raw = option(flag);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`campaign: ${flag} takes a whole number ≥ 0 (got "${raw}")`);
    process.exit(2);
  }
  return n;
}

function misbehaviours(): readonly Misbehaviour[] {
  if (argv.includes('--no-misbehave')) return [];
  const raw = option('--misbehave');
  if (raw === undefined || raw === 'all' || raw === '' || raw.startsWith('--')) return MISBEHAVIOURS;
  if (raw === 'none') return [];
  const kinds = raw.split(',');
  const unknown = kinds.filter((k) => !(MISBEHAVIOURS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    console.error(
      `campaign: unknown misbehaviour ${unknown.join(', ')}; known: ${MISBEHAVIOURS.join(', ')}, all, none`,
    );
    process.exit(2);
  }
  return kinds as Misbehaviour[];
}

const misbehave = misbehaviours();
const flags =
  misbehave.length === MISBEHAVIOURS.length ? '' : ` --misbehave=${misbehave.join(',') || 'none'}`;
const replay = (seed: number) => `npm run test:campaign -- --seed ${seed}${flags}`;

async function main(): Promise<void> {
  const single = option('--seed');
  if (single !== undefined) {
    const seed = integer('--seed', 0);
    const report = await runSeed(seed, { misbehave });
    for (const line of report.trace) console.log(line);
    console.log(`\ntrace digest ${report.digest}, ${report.trace.length} lines`);
    console.log(`stats ${JSON.stringify(report.stats)}`);
    if (report.violations.length > 0) {
      console.log(`\nseed ${seed} FAILS:`);
      for (const v of report.violations) console.log(`  ${formatViolation(v)}`);
      process.exitCode = 1;
    } else {
      console.log(`\nseed ${seed} clean`);
    }
    return;
  }
  const count = integer('--seeds', 200);
  const from = integer('--from', 1);
  const started = performance.now();
  const failing: RunReport[] = [];
  const totals = {
    agents: 0,
    withPeer: 0,
    negotiations: 0,
    deliveries: 0,
    restarts: 0,
    calendarFailures: 0,
    injected: 0,
  };
  const outcomes: Record<string, number> = {};
  const byInvariant: Record<string, number> = {};
  for (let seed = from; seed < from + count; seed++) {
    const report = await runSeed(seed, { misbehave });
    const s = report.stats;
    totals.agents += s.agents;
    totals.withPeer += s.mallory ? 1 : 0;
    totals.negotiations += s.negotiations;
    totals.deliveries += s.deliveries;
    totals.restarts += s.restarts;
    totals.calendarFailures += s.calendarFailures;
    totals.injected += s.injected;
    for (const [k, n] of Object.entries(s.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + n;
    if (report.violations.length === 0) continue;
    failing.push(report);
    for (const inv of new Set(report.violations.map((v) => v.invariant)))
      byInvariant[inv] = (byInvariant[inv] ?? 0) + 1;
    console.log(`✖ seed ${seed}: ${report.violations.length} violation(s)`);
    for (const v of report.violations.slice(0, 5)) console.log(`    ${formatViolation(v)}`);
    if (report.violations.length > 5) console.log(`    … ${report.violations.length - 5} more`);
    console.log(`    replay: ${replay(seed)}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `\ncampaign: seeds ${from}–${from + count - 1} (${count}), misbehaviour: ${misbehave.join(',') || 'none'}`,
  );
  console.log(
    `  ${totals.agents} agents (${totals.withPeer} runs with a misbehaving peer), ${totals.negotiations} negotiations, ` +
      `${totals.deliveries} deliveries, ${totals.restarts} worker restarts, ${totals.calendarFailures} calendar failures, ` +
      `${totals.injected} hostile messages`,
  );
  console.log(`  honest agents' outcomes: ${JSON.stringify(outcomes)}`);
  console.log(`  ${count - failing.length} clean, ${failing.length} failing, ${seconds} s`);
  if (failing.length > 0) {
    console.log(`  failing seeds by invariant: ${JSON.stringify(byInvariant)}`);
    console.log(`  failing seeds: ${failing.map((r) => r.seed).join(' ')}`);
    process.exitCode = 1;
  }
}

await main();
