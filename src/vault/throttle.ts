/**
 * Wrong-passphrase back-off. The state lives in the vault's meta store so a worker
 * restart does not reset it. It slows guessing through the UI; an attacker with a copy
 * of the disk faces PBKDF2 alone, which is why the iteration floor matters more.
 */
export interface ThrottlePolicy {
  /** Failures allowed before any delay (a single typo costs nothing). */
  readonly freeAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  freeAttempts: 1,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
};

export const THROTTLE_ID = 'throttle';

export interface ThrottleRecord {
  readonly id: typeof THROTTLE_ID;
  readonly failures: number;
  readonly notBefore: number;
}

export function delayAfter(policy: ThrottlePolicy, failures: number): number {
  const over = failures - policy.freeAttempts;
  if (over <= 0) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(over - 1, 30));
}

export function afterFailure(
  policy: ThrottlePolicy,
  prev: ThrottleRecord | undefined,
  now: number,
): ThrottleRecord {
  const failures = (prev?.failures ?? 0) + 1;
  return { id: THROTTLE_ID, failures, notBefore: now + delayAfter(policy, failures) };
}
