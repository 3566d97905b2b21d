/**
 * Half-open intervals [start, end) in epoch milliseconds. Every list this module returns is
 * normalised: sorted by start, non-empty, non-overlapping and non-adjacent, so every operation
 * below is a linear sorted merge.
 */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Sorts, drops empty intervals and merges overlapping or touching ones. Does not mutate its input. */
export function normalize(list: readonly Interval[]): Interval[] {
  const sorted = list.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  let curStart = 0;
  let curEnd = Number.NEGATIVE_INFINITY;
  for (const i of sorted) {
    if (i.start <= curEnd) {
      if (i.end > curEnd) curEnd = i.end;
    } else {
      if (curEnd > Number.NEGATIVE_INFINITY) out.push({ start: curStart, end: curEnd });
      curStart = i.start;
      curEnd = i.end;
    }
  }
  if (curEnd > Number.NEGATIVE_INFINITY) out.push({ start: curStart, end: curEnd });
  return out;
}

/**
 * Union of intervals given as separate start and end arrays (pairing does not matter for a union, so
 * both can be sorted natively as Float64Arrays: ~3× faster than sorting objects for thousands of
 * calendar events). Pairs with end <= start must already be left out.
 */
export function unionOfBounds(starts: Float64Array, ends: Float64Array): Interval[] {
  starts.sort();
  ends.sort();
  const out: Interval[] = [];
  const n = starts.length;
  let i = 0;
  let j = 0;
  let depth = 0;
  let open = 0;
  while (j < n) {
    // A start at the same instant as an end is taken first, so touching intervals merge.
    if (i < n && starts[i]! <= ends[j]!) {
      if (depth++ === 0) open = starts[i]!;
      i++;
    } else {
      if (--depth === 0) out.push({ start: open, end: ends[j]! });
      j++;
    }
  }
  return out;
}

export function union(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  return normalize([...a, ...b]);
}

/** Intersection of two normalised lists. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const start = x.start > y.start ? x.start : y.start;
    const end = x.end < y.end ? x.end : y.end;
    if (start < end) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

/** Intersection of many normalised lists; smallest first keeps intermediate results short. */
export function intersectAll(lists: readonly (readonly Interval[])[]): Interval[] {
  if (lists.length === 0) return [];
  const ordered = [...lists].sort((a, b) => a.length - b.length);
  let acc: Interval[] = [...ordered[0]!];
  for (let k = 1; k < ordered.length && acc.length > 0; k++) acc = intersect(acc, ordered[k]!);
  return acc;
}

/** `a` minus `b`, both normalised. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const x of a) {
    let cur = x.start;
    while (j < b.length && b[j]!.end <= cur) j++;
    let k = j;
    while (k < b.length && b[k]!.start < x.end) {
      const y = b[k]!;
      if (y.start > cur) out.push({ start: cur, end: y.start });
      if (y.end > cur) cur = y.end;
      if (cur >= x.end) break;
      k++;
    }
    if (cur < x.end) out.push({ start: cur, end: x.end });
  }
  return out;
}

export function clip(list: readonly Interval[], window: Interval): Interval[] {
  return intersect(list, [window]);
}

/** Index of the interval containing instant t, or -1. Binary search on a normalised list. */
export function indexContaining(list: readonly Interval[], t: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = list[mid]!;
    if (t < m.start) hi = mid - 1;
    else if (t >= m.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** True when [start, end) lies entirely inside one interval of the normalised list. */
export function covers(list: readonly Interval[], start: number, end: number): boolean {
  const k = indexContaining(list, start);
  return k >= 0 && list[k]!.end >= end;
}

export function totalLength(list: readonly Interval[]): number {
  let sum = 0;
  for (const i of list) sum += i.end - i.start;
  return sum;
}
