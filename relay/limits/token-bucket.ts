/**
 * A token bucket: `capacity` requests at once, refilled at `perSecond`. Time comes from the
 * injected clock so tests can step it.
 */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {
    this.#tokens = capacity;
    this.#at = now();
  }

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  take(): boolean {
    // A clock that steps back (NTP) neither refills nor drains the bucket.
    const now = Math.max(this.now(), this.#at);
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#at) / 1000) * this.perSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export interface RateLimit {
  /** Requests allowed in one burst. */
  readonly burst: number;
  /** Sustained requests per second. */
  readonly perSecond: number;
}
