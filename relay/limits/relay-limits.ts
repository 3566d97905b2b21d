import type { RateLimit } from './token-bucket';

export interface RelayLimits {
  /** Connections this process accepts at once (LIM3). */
  readonly maxConnections: number;
  /** Logged-in connections per agent on this process (LIM3). */
  readonly maxConnectionsPerAgent: number;
  /** Every request of one connection (LIM2). */
  readonly perConnection: RateLimit;
  /** Every request of one agent, over its connections on this process (LIM2). */
  readonly perAgent: RateLimit;
  /** A connection that has not logged in by then is closed (LIM3). */
  readonly loginTimeoutMs: number;
  /** Agents one connection may watch (PRS1). */
  readonly maxPresenceSubscriptions: number;
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxConnections: 15_000,
  maxConnectionsPerAgent: 8,
  perConnection: { burst: 200, perSecond: 100 },
  perAgent: { burst: 400, perSecond: 200 },
  loginTimeoutMs: 30_000,
  maxPresenceSubscriptions: 1000,
};
