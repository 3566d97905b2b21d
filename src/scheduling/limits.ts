import { SchedulingError } from './errors';
import { DAY, type Interval } from './interval';

/**
 * How much work one availability or slot search may cost (rule SLT7). Checked up front, before any
 * time-zone lookup or loop, so a non-finite, absurd or merely huge request is a typed refusal instead
 * of a `RangeError` from Temporal or seconds of CPU in the service worker. Injectable so tests can
 * prove the cap with small numbers instead of timing anything.
 */
export interface SearchLimits {
  /** Longest window availability is computed for (and slots searched in). Default 120 days (NEG2). */
  readonly maxWindowMs: number;
  /** Most participants one findSlots call ranks for. */
  readonly maxParticipants: number;
  /**
   * Most (candidate start × participant) scorings one findSlots call may do, counted before it starts:
   * ⌈shared window ÷ grid⌉ × participants. Measured at ~1.5–2 µs a pair on a 2-core machine under a
   * load average of ~12, so 200,000 stays under half a second even then (far less when idle). It admits
   * every search the product makes (one person, 120 days on a 15-minute grid: 11,520) and, say, 17
   * people over 120 days on a 15-minute grid (195,840) or one person on a 1-minute grid (172,800); 50
   * people over 5 years on a 1-minute grid (~131 million) is refused.
   */
  readonly maxWork: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = {
  maxWindowMs: 120 * DAY,
  maxParticipants: 50,
  maxWork: 200_000,
};

/**
 * Instants we compute with: 1970-01-01 to 9999-01-01 UTC. RFC 3339 (Google's wire format) has four-digit
 * years, and the zone table reads a year either side of a window, which stays inside Temporal's range.
 */
export const EPOCH_MIN = 0;
export const EPOCH_MAX = Date.UTC(9999, 0, 1);

export function isEpoch(t: number): boolean {
  return Number.isFinite(t) && t >= EPOCH_MIN && t <= EPOCH_MAX;
}

/** A search window: finite epoch ms inside [EPOCH_MIN, EPOCH_MAX], start < end, at most maxWindowMs. */
export function checkWindow(window: Interval, limits: SearchLimits = DEFAULT_SEARCH_LIMITS): void {
  const { start, end } = window ?? ({} as Partial<Interval>);
  if (typeof start !== 'number' || typeof end !== 'number' || !isEpoch(start) || !isEpoch(end)) {
    throw new SchedulingError(
      'invalid_window',
      'A search window needs finite epoch milliseconds between 1970 and 9999 (UTC).',
    );
  }
  if (!(start < end))
    throw new SchedulingError('invalid_window', 'A search window must end after it starts.');
  if (end - start > limits.maxWindowMs) {
    throw new SchedulingError(
      'invalid_window',
      `A search window spans at most ${Math.floor(limits.maxWindowMs / DAY)} days.`,
    );
  }
}
