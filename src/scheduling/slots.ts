import type { Availability } from './availability';
import { SchedulingError } from './errors';
import { MINUTE, type Interval, clip, intersectAll } from './interval';
import { DEFAULT_SEARCH_LIMITS, type SearchLimits, checkWindow } from './limits';
import { type SlotScore, explainScore, scoreValue } from './score';

export interface SlotRequest {
  readonly durationMin: number;
  /** Slots start on multiples of this many minutes since the Unix epoch (SLT2). Default 30. */
  readonly granularityMin?: number;
  /** How many slots to return (top K). Default 10. */
  readonly limit?: number;
}

export interface RankedSlot extends SlotScore, Interval {}

/** Time when every participant is free (SLT1). */
export function commonFree(avs: readonly Availability[]): Interval[] {
  return intersectAll(avs.map((a) => a.free));
}

function check(req: SlotRequest): { duration: number; step: number; limit: number } {
  const granularityMin = req.granularityMin ?? 30;
  const limit = req.limit ?? 10;
  if (!Number.isInteger(req.durationMin) || req.durationMin < 5 || req.durationMin > 24 * 60) {
    throw new SchedulingError('invalid_request', 'durationMin must be a whole number of minutes, 5–1440.');
  }
  if (!Number.isInteger(granularityMin) || granularityMin < 1 || granularityMin > 24 * 60) {
    throw new SchedulingError('invalid_request', 'granularityMin must be a whole number of minutes, 1–1440.');
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new SchedulingError('invalid_request', 'limit must be 1–500.');
  }
  return { duration: req.durationMin * MINUTE, step: granularityMin * MINUTE, limit };
}

/**
 * [SLT7] What a search will cost, counted before it starts: the grid starts in the window every
 * participant shares, times the participants each start is scored for. Throws (typed) when a window
 * is malformed or the count is over `limits.maxWork`. Returns the shared window.
 */
export function checkSearch(
  avs: readonly Availability[],
  req: SlotRequest,
  limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
): { window: Interval; work: number } {
  const { step } = check(req);
  if (avs.length === 0)
    throw new SchedulingError('invalid_request', 'findSlots needs at least one participant.');
  if (avs.length > limits.maxParticipants) {
    throw new SchedulingError(
      'request_too_large',
      `findSlots ranks for at most ${limits.maxParticipants} participants at once.`,
    );
  }
  let start = Number.NEGATIVE_INFINITY;
  let end = Number.POSITIVE_INFINITY;
  for (const a of avs) {
    checkWindow(a.window, limits);
    start = Math.max(start, a.window.start);
    end = Math.min(end, a.window.end);
  }
  const work = end > start ? Math.ceil((end - start) / step) * avs.length : 0;
  if (work > limits.maxWork) {
    throw new SchedulingError(
      'request_too_large',
      `This search would score ${work} start × participant pairs (at most ${limits.maxWork}); use a shorter window, a coarser grid or fewer participants.`,
    );
  }
  return { window: { start, end: Math.max(start, end) }, work };
}

/**
 * The best `limit` slots for everyone, best first. Intersects the free lists (a sorted merge, linear
 * in the number of intervals), then scores only the aligned starts that fit inside a common free
 * interval: no minute-by-minute scan. The work is capped up front (SLT7).
 */
export function findSlots(
  avs: readonly Availability[],
  req: SlotRequest,
  limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
): RankedSlot[] {
  const { duration, step, limit } = check(req);
  const { window } = checkSearch(avs, req, limits);
  // top[] is kept sorted best-first; K is small, so insertion beats a heap.
  const top: { start: number; score: number }[] = [];
  // Clipped to the shared window, so the starts scored never exceed what checkSearch counted.
  for (const iv of clip(commonFree(avs), window)) {
    for (let s = Math.ceil(iv.start / step) * step; s + duration <= iv.end; s += step) {
      const score = scoreValue(avs, s, s + duration);
      if (top.length === limit) {
        const last = top[limit - 1]!;
        // Starts arrive in increasing order, so an equal score never displaces an earlier slot (SLT5).
        if (score <= last.score) continue;
        top.pop();
      }
      let k = top.length;
      while (k > 0 && top[k - 1]!.score < score) k--;
      top.splice(k, 0, { start: s, score });
    }
  }
  return top.map(({ start }) => ({
    start,
    end: start + duration,
    ...explainScore(avs, start, start + duration),
  }));
}

/** Plain-words explanation of one ranked slot, for the person. */
export function describeSlot(slot: RankedSlot): string {
  const who = slot.participants.map((p) => `${p.participantId}: ${p.local}`).join('; ');
  const why = slot.reasons.map((r) => `${r.text} (+${r.points})`).join('; ');
  return `${who}. Score ${slot.score}: ${why}.`;
}
