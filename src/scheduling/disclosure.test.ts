import { describe, expect, it } from 'vitest';
import { coarsen, planDisclosure } from './disclosure';

const slot = { start: Date.UTC(2024, 5, 3, 9), end: Date.UTC(2024, 5, 3, 9, 30) };

describe('disclosure budget', () => {
  const ranked = [0, 45, 60, 90, 120, 150].map((m) => ({
    start: slot.start + m * 60_000,
    end: slot.start + (m + 30) * 60_000,
  }));
  it('[DIS1] only aligned slots of the asked duration, at most maxSlots', () => {
    const plan = planDisclosure(ranked, [], { auto: true, maxSlots: 3, granularityMin: 30 }, 30);
    expect(plan.needsApproval).toBe(false);
    expect(plan.slots).toHaveLength(3);
    for (const s of plan.slots) {
      expect(s.start % 1_800_000).toBe(0);
      expect(s.end - s.start).toBe(1_800_000);
    }
    expect(coarsen([{ start: slot.start + 60_000, end: slot.start + 40 * 60_000 }], 30, 30)).toEqual([]);
  });

  it('[DIS2] without an automatic rule, or beyond the budget, disclosure needs approval', () => {
    expect(
      planDisclosure(ranked, [], { auto: false, maxSlots: 3, granularityMin: 30 }, 30).needsApproval,
    ).toBe(true);
    const first = planDisclosure(ranked, [], { auto: true, maxSlots: 2, granularityMin: 30 }, 30);
    const second = planDisclosure(ranked, first.slots, { auto: true, maxSlots: 2, granularityMin: 30 }, 30);
    expect(second.needsApproval).toBe(true);
    expect(second.slots.some((s) => first.slots.some((f) => f.start === s.start))).toBe(false);
  });
});
