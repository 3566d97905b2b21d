export { TokenBucket, type RateLimit } from './token-bucket';
export { originAllowed, type OriginPolicy } from './origin-policy';
