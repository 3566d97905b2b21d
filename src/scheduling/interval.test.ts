import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Interval,
  covers,
  indexContaining,
  intersect,
  intersectAll,
  normalize,
  subtract,
  unionOfBounds,
} from './interval';

const arbList = fc.array(
  fc
    .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 40 }))
    .map(([s, l]) => ({ start: s, end: s + l })),
  { maxLength: 20 },
);
const cells = (list: readonly Interval[]): Set<number> => {
  const out = new Set<number>();
  for (const i of list) for (let t = i.start; t < i.end; t++) out.add(t);
  return out;
};
const sameCells = (a: Set<number>, b: Set<number>): boolean =>
  a.size === b.size && [...a].every((x) => b.has(x));

describe('interval algebra', () => {
  it('normalize yields sorted, disjoint, non-touching, non-empty intervals covering the same points', () => {
    fc.assert(
      fc.property(arbList, (list) => {
        const n = normalize(list);
        for (let k = 1; k < n.length; k++) expect(n[k]!.start).toBeGreaterThan(n[k - 1]!.end);
        for (const i of n) expect(i.end).toBeGreaterThan(i.start);
        expect(sameCells(cells(n), cells(list))).toBe(true);
      }),
    );
  });

  it('intersect, intersectAll and subtract agree with point sets', () => {
    fc.assert(
      fc.property(arbList, arbList, arbList, (a, b, c) => {
        const [na, nb, nc] = [normalize(a), normalize(b), normalize(c)];
        const [ca, cb, cc] = [cells(a), cells(b), cells(c)];
        expect(sameCells(cells(intersect(na, nb)), new Set([...ca].filter((x) => cb.has(x))))).toBe(true);
        expect(sameCells(cells(subtract(na, nb)), new Set([...ca].filter((x) => !cb.has(x))))).toBe(true);
        const all = new Set([...ca].filter((x) => cb.has(x) && cc.has(x)));
        expect(sameCells(cells(intersectAll([na, nb, nc])), all)).toBe(true);
        expect(normalize(subtract(na, nb))).toEqual(subtract(na, nb));
      }),
    );
  });

  it('unionOfBounds (sorted starts and ends, unpaired) equals normalize', () => {
    fc.assert(
      fc.property(arbList, (list) => {
        const ok = list.filter((i) => i.end > i.start);
        const starts = Float64Array.from(ok.map((i) => i.start));
        const ends = Float64Array.from(ok.map((i) => i.end));
        expect(unionOfBounds(starts, ends)).toEqual(normalize(list));
      }),
    );
  });

  it('indexContaining and covers find the interval holding a point or a span', () => {
    const list = normalize([
      { start: 10, end: 20 },
      { start: 30, end: 40 },
    ]);
    expect(indexContaining(list, 10)).toBe(0);
    expect(indexContaining(list, 20)).toBe(-1);
    expect(indexContaining(list, 39)).toBe(1);
    expect(covers(list, 30, 40)).toBe(true);
    expect(covers(list, 15, 31)).toBe(false);
  });
});
