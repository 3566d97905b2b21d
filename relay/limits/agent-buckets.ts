import type { RateLimit } from './token-bucket';
import { TokenBucket } from './token-bucket';

/**
 * Where agents' buckets live (LIM2): in this node, or in Redis and shared by every node (LIM7).
 * A node's own buckets answer at once; shared ones after a round trip.
 */
export interface AgentBuckets {
  /** Takes one token from the agent's bucket; false (nothing taken) when it is empty. */
  take(agentId: string): boolean | Promise<boolean>;
  /** The agent's last connection on this node closed. */
  forget(agentId: string): void;
}

/** Each agent's bucket over its connections on this node (LIM2, without Redis). */
export class LocalAgentBuckets implements AgentBuckets {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}

  take(agentId: string): boolean {
    let bucket = this.#buckets.get(agentId);
    if (!bucket) {
      bucket = new TokenBucket(this.limit.burst, this.limit.perSecond, this.now);
      this.#buckets.set(agentId, bucket);
    }
    return bucket.take();
  }

  forget(agentId: string): void {
    this.#buckets.delete(agentId);
  }
}
