export {
  openAiUnderstanding,
  type OpenAiUnderstanding,
  type OpenAiUnderstandingOptions,
  type UnderstandingResult,
  type UnderstandOptions,
} from './provider';
export { memoryCache, cacheKey, type UnderstandingCache } from './cache';
export { tokenBucket, type RateLimiter } from './limiter';
export { NOTE_HINTS, UnderstandingAbortedError, type OpenAiNote } from './errors';
export { strictCommandSchema } from './schema';
