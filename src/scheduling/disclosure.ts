import { type Interval, DAY, clip, covers, normalize } from './interval';
import type { DisclosurePolicy } from './preferences';

/**
 * DIS rules. A RESPONSE carries at most `policy.maxSlots` slots, each starting on the policy's granularity
 * and lasting exactly the asked duration: it says "free then", never why or what else is on the calendar.
 * Without the person's approval, one negotiation tells the organizer at most `maxSlots` distinct slots
 * over its whole life, reschedules included (DIS5), and one contact learns at most `maxSlotsPerWeek`
 * distinct slots in any 7 days, across all negotiations (DIS6). Anything beyond waits for the person.
 */
export interface DisclosurePlan {
  /** The slots to send next, best first. */
  readonly slots: readonly Interval[];
  /** True when sending them needs the person's approval (policy not automatic, or a budget exceeded). */
  readonly needsApproval: boolean;
}

/** DIS6's default when a stored policy predates `maxSlotsPerWeek`. */
export const DEFAULT_MAX_SLOTS_PER_WEEK = 10;
/** DIS6: the rolling period of the per-contact budget. */
export const LEDGER_PERIOD_MS = 7 * DAY;
/** The ledger never grows past this many entries; the oldest go first. */
export const LEDGER_MAX_ENTRIES = 5_000;

/** Only aligned slots of the exact duration, never more than one per start, in the given order. */
export function coarsen(
  ranked: readonly Interval[],
  granularityMin: number,
  durationMin: number,
): Interval[] {
  const g = granularityMin * 60_000;
  const d = durationMin * 60_000;
  const seen = new Set<number>();
  const out: Interval[] = [];
  for (const s of ranked) {
    const start = Math.ceil(s.start / g) * g;
    if (start + d > s.end || seen.has(start)) continue;
    seen.add(start);
    out.push({ start, end: start + d });
  }
  return out;
}

const key = (s: Interval) => `${s.start}/${s.end}`;

/** `list` plus those of `more` it does not hold yet, each slot once. */
export function addDistinct(list: readonly Interval[], more: readonly Interval[]): Interval[] {
  const have = new Set(list.map(key));
  const out = [...list];
  for (const s of more) {
    if (have.has(key(s))) continue;
    have.add(key(s));
    out.push({ start: s.start, end: s.end });
  }
  return out;
}

export function planDisclosure(input: {
  /** Candidate slots, best first. */
  readonly ranked: readonly Interval[];
  /** Offered to the organizer since the last reschedule: not offered again. */
  readonly offered: readonly Interval[];
  /** Every slot told to the organizer in this negotiation, over its whole life (DIS5). */
  readonly told: readonly Interval[];
  /** Distinct slots told to this contact in the last 7 days, all negotiations (DIS6). */
  readonly toldContact: readonly Interval[];
  readonly policy: DisclosurePolicy;
  readonly durationMin: number;
}): DisclosurePlan {
  const { policy } = input;
  const offered = new Set(input.offered.map(key));
  const fresh = coarsen(input.ranked, policy.granularityMin, input.durationMin).filter(
    (s) => !offered.has(key(s)),
  );
  const slots = fresh.slice(0, policy.maxSlots);
  // A slot the organizer (or the contact) already knows tells them nothing new: it costs no budget.
  const negotiationTotal = addDistinct(input.told, slots).length;
  const contactTold = addDistinct([], input.toldContact);
  const contactTotal = addDistinct(contactTold, slots).length;
  const perWeek = policy.maxSlotsPerWeek ?? DEFAULT_MAX_SLOTS_PER_WEEK;
  const withinBudget = negotiationTotal <= policy.maxSlots && contactTotal <= perWeek;
  return { slots, needsApproval: slots.length > 0 && (!policy.auto || !withinBudget) };
}

/**
 * DIS6's ledger: what was told to whom, when. Pure, like the inbound gate: the interpreter records every
 * disclosure before it is sent and persists the ledger with the negotiations.
 */
export interface DisclosureLedger {
  readonly entries: readonly {
    readonly contact: string;
    readonly start: number;
    readonly end: number;
    readonly at: number;
  }[];
}
export const EMPTY_LEDGER: DisclosureLedger = { entries: [] };

/** Distinct slots told to `contact` in the period before `now`. */
export function toldRecently(ledger: DisclosureLedger, contact: string, now: number): Interval[] {
  const since = now - LEDGER_PERIOD_MS;
  return addDistinct(
    [],
    ledger.entries.filter((e) => e.contact === contact && e.at > since),
  );
}

/** The ledger with `slots` told to `contact` at `now`; entries older than the period are dropped. */
export function recordDisclosure(
  ledger: DisclosureLedger,
  contact: string,
  slots: readonly Interval[],
  now: number,
): DisclosureLedger {
  const since = now - LEDGER_PERIOD_MS;
  const told = new Set(slots.map(key));
  const kept = ledger.entries.filter((e) => e.at > since && !(e.contact === contact && told.has(key(e))));
  const added = addDistinct([], slots).map((s) => ({ contact, start: s.start, end: s.end, at: now }));
  return { entries: [...kept, ...added].slice(-LEDGER_MAX_ENTRIES) };
}

/**
 * CNV2–CNV4: a participant's answer to one QUERY round. With the organizer's candidates, the ones it is
 * free for (best first by its own ranking); when none fits, the free times nearest to them ("not then, but
 * an hour later"), so the next round moves towards a common time. Without candidates, its own best times.
 * At most `policy.maxSlots` slots the organizer has not been told yet go out per round (CNV3); slots it was
 * told already cost nothing and are repeated when they answer a candidate.
 */
export function planAnswer(input: {
  readonly free: readonly Interval[];
  readonly ranked: readonly Interval[];
  readonly window: Interval;
  readonly candidates?: readonly Interval[] | undefined;
  readonly told: readonly Interval[];
  readonly offered: readonly Interval[];
  readonly policy: DisclosurePolicy;
  readonly durationMin: number;
}): Interval[] {
  const { policy } = input;
  const g = policy.granularityMin * 60_000;
  const d = input.durationMin * 60_000;
  const free = clip(normalize(input.free), input.window);
  const told = new Set(input.told.map(key));
  const offered = new Set(input.offered.map(key));
  const rank = new Map(input.ranked.map((s, i) => [s.start, i]));
  const byRank = (a: Interval, b: Interval) =>
    (rank.get(a.start) ?? 1e9) - (rank.get(b.start) ?? 1e9) || a.start - b.start;
  const take = (list: readonly Interval[]): Interval[] => {
    const out: Interval[] = [];
    let fresh = 0;
    for (const s of list) {
      if (out.some((x) => x.start === s.start)) continue;
      if (!told.has(key(s))) {
        if (fresh >= policy.maxSlots) continue;
        fresh++;
      }
      out.push({ start: s.start, end: s.end });
    }
    return out;
  };
  if (!input.candidates) {
    return take(
      coarsen(input.ranked, policy.granularityMin, input.durationMin).filter((s) => !offered.has(key(s))),
    );
  }
  const fits = input.candidates
    .filter((c) => c.start % g === 0 && c.end - c.start === d && covers(free, c.start, c.end))
    .sort(byRank);
  if (fits.length > 0) return take(fits);
  // None fits: the nearest free times on our grid, before or after each candidate.
  const near: { slot: Interval; distance: number }[] = [];
  for (const c of input.candidates) {
    for (const f of free) {
      const first = Math.ceil(f.start / g) * g;
      const last = Math.floor((f.end - d) / g) * g;
      if (first > last) continue;
      const s = Math.min(last, Math.max(first, Math.round(c.start / g) * g));
      near.push({ slot: { start: s, end: s + d }, distance: Math.abs(s - c.start) });
    }
  }
  near.sort((a, b) => a.distance - b.distance || a.slot.start - b.slot.start);
  return take(near.map((n) => n.slot).filter((s) => !offered.has(key(s))));
}
