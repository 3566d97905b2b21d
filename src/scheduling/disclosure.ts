import { type Interval, DAY, HOUR, clip, covers, intersect, normalize } from './interval';
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
 * CNV6: meeting hours as they go on the wire: rounded outward to whole hours, clipped to the window, merged,
 * and at most `max` ranges (the closest ones merged first). Always a superset of the exact hours, so a check
 * against them never rules out a time that would have fitted.
 */
export function coarseHours(hours: readonly Interval[], window: Interval, max = 200): Interval[] {
  let list = clip(
    normalize(
      hours.map((h) => ({
        start: Math.floor(h.start / HOUR) * HOUR,
        end: Math.ceil(h.end / HOUR) * HOUR,
      })),
    ),
    window,
  );
  while (list.length > Math.max(1, max)) {
    let at = 0;
    for (let i = 1; i + 1 < list.length; i++) {
      if (list[i + 1]!.start - list[i]!.end < list[at + 1]!.start - list[at]!.end) at = i;
    }
    list = [...list.slice(0, at), { start: list[at]!.start, end: list[at + 1]!.end }, ...list.slice(at + 2)];
  }
  return list;
}

/** Slots of `durationMin` starting on the `gridMin` grid inside `free`, in time order (at most `limit`). */
export function slotsIn(
  free: readonly Interval[],
  durationMin: number,
  gridMin: number,
  limit = Infinity,
): Interval[] {
  const g = gridMin * 60_000;
  const d = durationMin * 60_000;
  const out: Interval[] = [];
  for (const f of normalize(free)) {
    for (let start = Math.ceil(f.start / g) * g; start + d <= f.end && out.length < limit; start += g) {
      out.push({ start, end: start + d });
    }
  }
  return out;
}

/**
 * CNV6/CNV7: a participant's answer to the organizer's hours: the part of its own meeting hours inside them
 * (coarse), or `exhausted` when none of its free time inside them holds a slot of the asked duration on its
 * grid. Neither tells a free time.
 */
export function answerHours(input: {
  readonly free: readonly Interval[];
  readonly hours: readonly Interval[];
  readonly asked: readonly Interval[];
  readonly window: Interval;
  readonly policy: DisclosurePolicy;
  readonly durationMin: number;
}): { readonly exhausted: true } | { readonly exhausted: false; readonly hours: Interval[] } {
  const asked = normalize(input.asked);
  const free = intersect(clip(normalize(input.free), input.window), asked);
  if (slotsIn(free, input.durationMin, input.policy.granularityMin, 1).length === 0)
    return { exhausted: true };
  return { exhausted: false, hours: coarseHours(intersect(normalize(input.hours), asked), input.window) };
}

/**
 * CNV3/CNV8: a participant's answer to one QUERY round. With the organizer's candidates, only the ones it is
 * free for, best first by its own ranking: it tells nothing the organizer did not ask about, and a candidate
 * left out is one it cannot take — unless `more` says some that fit were left out for the budget. Without
 * candidates, its own best times. At most `policy.maxSlots` slots the organizer has not been told yet go out
 * per round; slots it was told already cost nothing.
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
}): { readonly slots: Interval[]; readonly more: boolean } {
  const { policy } = input;
  const g = policy.granularityMin * 60_000;
  const d = input.durationMin * 60_000;
  const free = clip(normalize(input.free), input.window);
  const told = new Set(input.told.map(key));
  const offered = new Set(input.offered.map(key));
  const rank = new Map(input.ranked.map((s, i) => [s.start, i]));
  const byRank = (a: Interval, b: Interval) =>
    (rank.get(a.start) ?? 1e9) - (rank.get(b.start) ?? 1e9) || a.start - b.start;
  const take = (list: readonly Interval[]): { slots: Interval[]; more: boolean } => {
    const out: Interval[] = [];
    let fresh = 0;
    let more = false;
    for (const s of list) {
      if (out.some((x) => x.start === s.start)) continue;
      if (!told.has(key(s))) {
        if (fresh >= policy.maxSlots) {
          more = true;
          continue;
        }
        fresh++;
      }
      out.push({ start: s.start, end: s.end });
    }
    return { slots: out, more };
  };
  if (!input.candidates) {
    const own = take(
      coarsen(input.ranked, policy.granularityMin, input.durationMin).filter((s) => !offered.has(key(s))),
    );
    return { slots: own.slots, more: false };
  }
  return take(
    input.candidates
      .filter((c) => c.start % g === 0 && c.end - c.start === d && covers(free, c.start, c.end))
      .sort(byRank),
  );
}
