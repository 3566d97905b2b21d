/**
 * Scheduling benchmark: 10 participants × 2,000 busy intervals over 90 days → the 10 best 30-minute
 * slots. Ours (interval algebra) against a naive minute-by-minute scan, in the same run, same inputs,
 * same scoring; the two must return the same slots. Last line: one JSON object.
 *
 * Run: npx tsx bench/scheduling.ts
 */
import {
  type Availability,
  type CachedEvent,
  type Preferences,
  computeAvailability,
  findSlots,
  parsePreferences,
  epochToWall,
  isoWeekday,
  scoreValue,
  zoneTable,
} from '../src/scheduling/index';

const MIN = 60_000;
const DAY = 86_400_000;
const PARTICIPANTS = 10;
const EVENTS_EACH = 2_000;
const SHARED = 1_400; // team meetings everyone attends; the rest are personal
const DURATION_MIN = 30;
const K = 10;
const ITERATIONS = 200;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20240310);
const ZONES = [
  'Europe/London',
  'Europe/Lisbon',
  'Europe/Berlin',
  'Europe/Paris',
  'Europe/Madrid',
  'Europe/Dublin',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Athens',
  'Africa/Lagos',
];

const windowStart = Date.UTC(2024, 2, 1); // spans the EU DST change on 31 March
const window = { start: windowStart, end: windowStart + 90 * DAY };
const now = windowStart - DAY;

function randomEvent(id: string): CachedEvent {
  const start = window.start + Math.floor((rand() * (window.end - window.start)) / (5 * MIN)) * 5 * MIN;
  const len = (2 + Math.floor(rand() * 8)) * 5 * MIN; // 10–45 min
  const r = rand();
  const status = r < 0.85 ? 'busy' : r < 0.95 ? 'tentative' : 'free';
  return { id, kind: 'timed', calendarId: 'primary', start, end: start + len, status };
}
const shared = Array.from({ length: SHARED }, (_, i) => randomEvent(`s${i}`));
const people = Array.from({ length: PARTICIPANTS }, (_, p) => {
  const prefs = parsePreferences({
    timeZone: ZONES[p]!,
    workingHours: Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '08:00', end: '20:00' }]]),
    ),
    bufferAfterMin: p % 3 === 0 ? 5 : 0,
    protectedBlocks: [
      { kind: 'lunch', days: ['mon', 'tue', 'wed', 'thu', 'fri'], range: { start: '12:30', end: '13:00' } },
    ],
    preferredTimes: [
      { days: ['tue', 'wed', 'thu'], range: { start: '10:00', end: '12:00' }, weight: 1 + (p % 3) },
    ],
  });
  const events = [
    ...shared,
    ...Array.from({ length: EVENTS_EACH - SHARED }, (_, i) => randomEvent(`p${p}-${i}`)),
  ];
  return { id: `p${p}`, prefs, events };
});

function availabilities(): Availability[] {
  return people.map((p) =>
    computeAvailability({
      participantId: p.id,
      preferences: p.prefs,
      snapshot: { events: p.events, calendars: [] },
      window,
      now,
    }),
  );
}

function ours() {
  return findSlots(availabilities(), { durationMin: DURATION_MIN, granularityMin: 30, limit: K });
}

/**
 * The textbook way: lay every participant's 90 days out minute by minute (is this minute inside
 * their hours, outside their protected blocks and outside every busy event?), AND the grids, then
 * walk the aligned starts and keep those with 30 free minutes. Same scoring as ours.
 */
function naive() {
  const avs = availabilities(); // scoring data, same as ours
  const minutes = (window.end - window.start) / MIN;
  const all = new Uint8Array(minutes).fill(1);
  for (const p of people) {
    const free = minuteChecker(p.prefs, p.events);
    for (let k = 0; k < minutes; k++) if (!free(window.start + k * MIN)) all[k] = 0;
  }
  const top: { start: number; score: number }[] = [];
  const step = 30 * MIN;
  for (let s = Math.ceil(window.start / step) * step; s + DURATION_MIN * MIN <= window.end; s += step) {
    const k0 = (s - window.start) / MIN;
    let ok = true;
    for (let k = k0; ok && k < k0 + DURATION_MIN; k++) ok = all[k] === 1;
    if (ok) top.push({ start: s, score: scoreValue(avs, s, s + DURATION_MIN * MIN) });
  }
  top.sort((a, b) => b.score - a.score || a.start - b.start);
  return top.slice(0, K);
}

/**
 * A smarter minute scan, reported for context only: checks the minutes of each aligned start and
 * stops at the first busy minute of the first busy participant.
 */
function naiveEarlyExit() {
  const avs = availabilities();
  const checkers = people.map((p) => minuteChecker(p.prefs, p.events));
  const top: { start: number; score: number }[] = [];
  const step = 30 * MIN;
  for (let s = Math.ceil(window.start / step) * step; s + DURATION_MIN * MIN <= window.end; s += step) {
    let ok = true;
    for (let m = s; ok && m < s + DURATION_MIN * MIN; m += MIN)
      for (const free of checkers) if (!(ok = free(m))) break;
    if (ok) top.push({ start: s, score: scoreValue(avs, s, s + DURATION_MIN * MIN) });
  }
  top.sort((a, b) => b.score - a.score || a.start - b.start);
  return top.slice(0, K);
}

function minuteChecker(prefs: Preferences, events: readonly CachedEvent[]): (m: number) => boolean {
  const zone = zoneTable(prefs.timeZone, window.start, window.end);
  const busy = events
    .filter((e): e is Extract<CachedEvent, { kind: 'timed' }> => e.kind === 'timed' && e.status !== 'free')
    .map((e) => [e.start - prefs.bufferAfterMin * MIN, e.end + prefs.bufferBeforeMin * MIN] as const)
    .sort((a, b) => a[0] - b[0]);
  const names = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  const toMin = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  let maxLen = 0;
  for (const [a, b] of busy) maxLen = Math.max(maxLen, b - a);
  return (m) => {
    const wall = epochToWall(zone, m);
    const day = Math.floor(wall / DAY);
    const name = names[isoWeekday(day) - 1]!;
    const minute = (wall - day * DAY) / MIN;
    if (!prefs.workingHours[name].some((r) => minute >= toMin(r.start) && minute < toMin(r.end)))
      return false;
    if (
      prefs.protectedBlocks.some(
        (b) => b.days.includes(name) && minute >= toMin(b.range.start) && minute < toMin(b.range.end),
      )
    )
      return false;
    // Binary search for the last busy interval starting at or before m, then look back maxLen.
    let lo = 0;
    let hi = busy.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (busy[mid]![0] <= m) lo = mid + 1;
      else hi = mid - 1;
    }
    for (let k = hi; k >= 0 && busy[k]![0] > m - maxLen; k--) if (busy[k]![1] > m) return false;
    return true;
  };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

for (let i = 0; i < 20; i++) ours(); // warm-up (JIT, zone tables)
const times: number[] = [];
let result = ours();
for (let i = 0; i < ITERATIONS; i++) {
  const t0 = performance.now();
  result = ours();
  times.push(performance.now() - t0);
}
naive();
const naiveTimes: number[] = [];
let reference = naive();
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  reference = naive();
  naiveTimes.push(performance.now() - t0);
}
const earlyTimes: number[] = [];
let early = naiveEarlyExit();
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  early = naiveEarlyExit();
  earlyTimes.push(performance.now() - t0);
}
const same =
  JSON.stringify(result.map((s) => [s.start, s.score])) ===
  JSON.stringify(reference.map((s) => [s.start, s.score]));
const sameEarly = JSON.stringify(early) === JSON.stringify(reference);
if (!same || !sameEarly || result.length !== K) {
  console.error(
    'bench: ours and the naive scan disagree, or fewer than K slots; the numbers below are not valid',
  );
  process.exitCode = 1;
}
const p50 = pct(times, 50);
const p99 = pct(times, 99);
const naiveMs = pct(naiveTimes, 50);
console.log(
  `participants=${PARTICIPANTS} busy_each=${EVENTS_EACH} days=90 slots=${result.length} same_as_naive=${same}`,
);
console.log(
  `ours: p50=${p50.toFixed(2)} ms p99=${p99.toFixed(2)} ms over ${ITERATIONS} runs; naive: ${naiveMs.toFixed(1)} ms (median of 3)`,
);
console.log(
  `context: minute scan with early exit ${pct(earlyTimes, 50).toFixed(1)} ms (${(pct(earlyTimes, 50) / p50).toFixed(1)}x ours)`,
);
console.log(
  `best: ${result[0] ? new Date(result[0].start).toISOString() : '-'} score ${result[0]?.score ?? '-'}`,
);
console.log(
  JSON.stringify({
    suite: 'scheduling',
    slots_ms_p99: Number(p99.toFixed(2)),
    naive_ms: Number(naiveMs.toFixed(1)),
    speedup: Number((naiveMs / p50).toFixed(1)),
  }),
);
