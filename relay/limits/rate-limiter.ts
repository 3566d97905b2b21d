import type { RelayLimits } from './relay-limits';
import { TokenBucket } from './token-bucket';

/**
 * LIM2: every request takes a token from its connection's bucket, then, once the connection is
 * logged in, from its agent's bucket on this node (shared by the agent's connections here).
 */
export class RateLimiter {
  readonly #agents = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: Pick<RelayLimits, 'perConnection' | 'perAgent'>,
    private readonly now: () => number,
  ) {}

  /** A new connection's bucket (kept on the connection). */
  connection(): TokenBucket {
    return new TokenBucket(this.limits.perConnection.burst, this.limits.perConnection.perSecond, this.now);
  }

  allowed(connection: TokenBucket, agentId: string | undefined): boolean {
    if (!connection.take()) return false;
    if (!agentId) return true;
    let bucket = this.#agents.get(agentId);
    if (!bucket) {
      bucket = new TokenBucket(this.limits.perAgent.burst, this.limits.perAgent.perSecond, this.now);
      this.#agents.set(agentId, bucket);
    }
    return bucket.take();
  }

  /** The agent's last connection on this node closed. */
  forget(agentId: string): void {
    this.#agents.delete(agentId);
  }
}
