export { TokenBucket, type RateLimit } from './token-bucket';
export { originAllowed, type OriginPolicy } from './origin-policy';
export { DEFAULT_LIMITS, type RelayLimits } from './relay-limits';
export { RateLimiter } from './rate-limiter';
export { LocalAgentBuckets, type AgentBuckets } from './agent-buckets';
export { RedisAgentBuckets } from './redis-agent-buckets';
