export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** In [0, 1); injected so tests can pin the jitter. */
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  // Google's guide caps exponential backoff at 32–64 s; past that the sync degrades instead.
  maxDelayMs: 32_000,
  random: Math.random,
};

/**
 * Delay before retry number `attempt` (0 for the first retry): "full jitter" exponential backoff,
 * uniformly in [base·2^attempt / 2, base·2^attempt] capped at maxDelayMs, so many clients that failed
 * together do not come back together. A server's Retry-After is a floor, never shortened.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = ceiling / 2 + policy.random() * (ceiling / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** `Retry-After` as delta-seconds or an HTTP date → milliseconds from `now`, or undefined. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
