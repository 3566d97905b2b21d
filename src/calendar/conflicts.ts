/**
 * Conflict resolution between a local change not yet on Google and a different version on Google
 * (rules CON*, docs/protocol/calendar.md). Pure: the write path feeds it and acts on the verdict.
 */
export interface ConflictSide {
  origin: 'agent' | 'user';
  /** When this side changed (epoch ms): local clock for ours, Google's `updated` for theirs. */
  changedAt: number;
  /** Fields this side changed, with their new values; `deleted` for a deletion. */
  changes: Record<string, unknown>;
  deleted?: boolean;
}

export type Verdict =
  | { winner: 'local' | 'remote'; rule: 'CON1' | 'CON2' | 'CON3' }
  | { winner: 'merge'; rule: 'CON4' }
  | { winner: 'ask'; rule: 'CON5' };

/** Clocks of the device and Google differ by this much without either being "newer". */
export const CLOCK_SKEW_MS = 5_000;

export function resolveConflict(
  local: ConflictSide,
  remote: ConflictSide,
  decision?: 'local' | 'remote',
): Verdict {
  // [CON1] The person already decided this exact conflict.
  if (decision) return { winner: decision, rule: 'CON1' };
  // [CON2] What the person did beats what the agent did, whatever the timestamps.
  if (local.origin !== remote.origin)
    return { winner: local.origin === 'user' ? 'local' : 'remote', rule: 'CON2' };
  // [CON4] Changes to different fields (and no deletion) do not conflict: keep both.
  const overlap = Object.keys(local.changes).filter(
    (k) => k in remote.changes && JSON.stringify(local.changes[k]) !== JSON.stringify(remote.changes[k]),
  );
  if (!local.deleted && !remote.deleted && overlap.length === 0) return { winner: 'merge', rule: 'CON4' };
  // [CON3] Same author kind, same fields: the clearly newer change wins.
  if (Math.abs(local.changedAt - remote.changedAt) > CLOCK_SKEW_MS) {
    return { winner: local.changedAt > remote.changedAt ? 'local' : 'remote', rule: 'CON3' };
  }
  // [CON5] Too close to call: the person decides, and the decision is remembered.
  return { winner: 'ask', rule: 'CON5' };
}
