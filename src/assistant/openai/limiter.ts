/** A per-provider rate limit (AST8): a token bucket on an injectable clock. */
export interface RateLimiter {
  /** Takes one token if there is one. */
  tryTake(): boolean;
}

export function tokenBucket(opts: {
  capacity: number;
  refillPerMinute: number;
  now?: () => number;
}): RateLimiter {
  const now = opts.now ?? Date.now;
  let tokens = opts.capacity;
  let last = now();
  return {
    tryTake() {
      const t = now();
      tokens = Math.min(opts.capacity, tokens + ((t - last) / 60_000) * opts.refillPerMinute);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
