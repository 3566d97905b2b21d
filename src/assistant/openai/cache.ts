import { CommandSchema, type Command } from '../command';

/**
 * Answers already paid for (AST7), keyed by what was sent: model, redacted text, date and zone. The value
 * is the model's command before placeholders are mapped back, so it holds no contact names. The lead backs
 * this with the vault; `memoryCache` is the in-memory implementation.
 */
export interface UnderstandingCache {
  get(key: string): Promise<Command | undefined>;
  set(key: string, command: Command): Promise<void>;
}

export function cacheKey(parts: {
  model: string;
  text: string;
  /** The summary of earlier requests that went with it (CHT4): another context may mean another answer. */
  earlier?: readonly string[];
  date: string;
  timeZone: string;
}): string {
  const key = [parts.model, parts.text, parts.date, parts.timeZone];
  return JSON.stringify(parts.earlier?.length ? [...key, parts.earlier] : key);
}

/** A bounded least-recently-used map. */
export function memoryCache(capacity = 200): UnderstandingCache {
  const entries = new Map<string, Command>();
  return {
    async get(key) {
      const hit = entries.get(key);
      if (!hit) return undefined;
      entries.delete(key);
      entries.set(key, hit);
      // Whatever backs the cache, what comes out of it is checked like a model's answer.
      return CommandSchema.safeParse(hit).data;
    },
    async set(key, command) {
      entries.delete(key);
      entries.set(key, command);
      while (entries.size > capacity) entries.delete(entries.keys().next().value!);
    },
  };
}
