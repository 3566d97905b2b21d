export { MAX_ONE_TIME_PREKEYS, type PrekeyStore } from './prekey-store';
export { MemoryPrekeyStore } from './memory-prekey-store';
export { RedisPrekeyStore } from './redis-prekey-store';
export { signedPrekeyIsValid, signedPrekeyMessage } from './verify-upload';
