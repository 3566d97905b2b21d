import { LocalAgentBuckets, type AgentBuckets } from './agent-buckets';
import type { RelayLimits } from './relay-limits';
import { TokenBucket } from './token-bucket';

/**
 * LIM2: every request takes a token from its connection's bucket (always this node's), then, once
 * the connection is logged in, from its agent's bucket (this node's, or shared through Redis, LIM7).
 */
export class RateLimiter {
  readonly #agents: AgentBuckets;

  constructor(
    private readonly limits: Pick<RelayLimits, 'perConnection' | 'perAgent'>,
    private readonly now: () => number,
    agents?: AgentBuckets,
  ) {
    this.#agents = agents ?? new LocalAgentBuckets(limits.perAgent, now);
  }

  /** A new connection's bucket (kept on the connection). */
  connection(): TokenBucket {
    return new TokenBucket(this.limits.perConnection.burst, this.limits.perConnection.perSecond, this.now);
  }

  /** At once when the connection's bucket or this node's decide; after a round trip when Redis does. */
  allowed(connection: TokenBucket, agentId: string | undefined): boolean | Promise<boolean> {
    if (!connection.take()) return false;
    if (!agentId) return true;
    return this.#agents.take(agentId);
  }

  /** The agent's last connection on this node closed. */
  forget(agentId: string): void {
    this.#agents.forget(agentId);
  }
}
