import type { Interval } from './interval';
import type { DisclosurePolicy } from './preferences';

/**
 * DIS rules. A RESPONSE carries at most `policy.maxSlots` slots over the whole negotiation, each
 * starting on the policy's granularity and lasting exactly the asked duration: it says "free then",
 * never why or what else is on the calendar. Anything beyond the policy waits for the person.
 */
export interface DisclosurePlan {
  /** The slots to send next, best first. */
  readonly slots: readonly Interval[];
  /** True when sending them needs the person's approval (policy not automatic, or budget exceeded). */
  readonly needsApproval: boolean;
}

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

export function planDisclosure(
  ranked: readonly Interval[],
  alreadyDisclosed: readonly Interval[],
  policy: DisclosurePolicy,
  durationMin: number,
): DisclosurePlan {
  const told = new Set(alreadyDisclosed.map((s) => s.start));
  const fresh = coarsen(ranked, policy.granularityMin, durationMin).filter((s) => !told.has(s.start));
  const slots = fresh.slice(0, policy.maxSlots);
  const withinBudget = alreadyDisclosed.length + slots.length <= policy.maxSlots;
  return { slots, needsApproval: slots.length > 0 && (!policy.auto || !withinBudget) };
}
