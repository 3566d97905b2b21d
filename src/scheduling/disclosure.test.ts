import { describe, expect, it } from 'vitest';
import {
  EMPTY_LEDGER,
  LEDGER_PERIOD_MS,
  coarsen,
  planDisclosure,
  recordDisclosure,
  toldRecently,
} from './disclosure';
import type { Interval } from './interval';
import type { DisclosurePolicy } from './preferences';

const slot = { start: Date.UTC(2024, 5, 3, 9), end: Date.UTC(2024, 5, 3, 9, 30) };
const plan = (
  ranked: readonly Interval[],
  policy: DisclosurePolicy,
  told: { offered?: Interval[]; told?: Interval[]; toldContact?: Interval[] } = {},
) =>
  planDisclosure({
    ranked,
    offered: told.offered ?? [],
    told: told.told ?? [],
    toldContact: told.toldContact ?? [],
    policy,
    durationMin: 30,
  });

describe('disclosure budget', () => {
  const ranked = [0, 45, 60, 90, 120, 150].map((m) => ({
    start: slot.start + m * 60_000,
    end: slot.start + (m + 30) * 60_000,
  }));
  it('[DIS1] only aligned slots of the asked duration, at most maxSlots', () => {
    const p = plan(ranked, { auto: true, maxSlots: 3, granularityMin: 30 });
    expect(p.needsApproval).toBe(false);
    expect(p.slots).toHaveLength(3);
    for (const s of p.slots) {
      expect(s.start % 1_800_000).toBe(0);
      expect(s.end - s.start).toBe(1_800_000);
    }
    expect(coarsen([{ start: slot.start + 60_000, end: slot.start + 40 * 60_000 }], 30, 30)).toEqual([]);
  });

  it('[DIS2] without an automatic rule, or beyond the budget, disclosure needs approval', () => {
    expect(plan(ranked, { auto: false, maxSlots: 3, granularityMin: 30 }).needsApproval).toBe(true);
    const policy = { auto: true, maxSlots: 2, granularityMin: 30 as const };
    const first = plan(ranked, policy);
    const second = plan(ranked, policy, { offered: [...first.slots], told: [...first.slots] });
    expect(second.needsApproval).toBe(true);
    expect(second.slots.some((s) => first.slots.some((f) => f.start === s.start))).toBe(false);
  });

  it('[DIS5] what was told before a reschedule still counts: the same slots again are free, new ones need approval', () => {
    const policy = { auto: true, maxSlots: 3, granularityMin: 30 as const };
    const first = plan(ranked, policy);
    // After a reschedule nothing is "offered" any more, but everything told stays told.
    const again = plan(ranked, policy, { told: [...first.slots] });
    expect(again.slots).toEqual(first.slots);
    expect(again.needsApproval).toBe(false);
    const later = ranked.map((s) => ({ start: s.start + 86_400_000, end: s.end + 86_400_000 }));
    const fresh = plan(later, policy, { told: [...first.slots] });
    expect(fresh.slots).toHaveLength(3);
    expect(fresh.needsApproval).toBe(true);
  });

  it('[DIS6] one contact learns at most maxSlotsPerWeek distinct slots in 7 days without approval', () => {
    const policy = { auto: true, maxSlots: 3, maxSlotsPerWeek: 4, granularityMin: 30 as const };
    let ledger = EMPTY_LEDGER;
    const t0 = slot.start - 86_400_000;
    const first = plan(ranked, policy, { toldContact: toldRecently(ledger, 'mallory', t0) });
    expect(first.needsApproval).toBe(false);
    ledger = recordDisclosure(ledger, 'mallory', first.slots, t0);
    // A second negotiation with the same contact: its own budget is untouched, the contact's is not.
    const later = ranked.map((s) => ({ start: s.start + 86_400_000, end: s.end + 86_400_000 }));
    const second = plan(later, policy, { toldContact: toldRecently(ledger, 'mallory', t0 + 1) });
    expect(second.needsApproval).toBe(true);
    // Another contact has a budget of its own; and the same slots again cost nothing.
    expect(plan(later, policy, { toldContact: toldRecently(ledger, 'carol', t0 + 1) }).needsApproval).toBe(
      false,
    );
    expect(plan(ranked, policy, { toldContact: toldRecently(ledger, 'mallory', t0 + 1) }).needsApproval).toBe(
      false,
    );
    // Seven days on, the period has rolled over.
    const week = t0 + LEDGER_PERIOD_MS;
    expect(toldRecently(ledger, 'mallory', week)).toEqual([]);
    expect(plan(later, policy, { toldContact: toldRecently(ledger, 'mallory', week) }).needsApproval).toBe(
      false,
    );
    expect(recordDisclosure(ledger, 'carol', [], week).entries).toEqual([]);
  });
});
