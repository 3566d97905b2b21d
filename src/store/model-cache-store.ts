import { z } from 'zod';
import { CommandSchema, type Command, type UnderstandingCache } from '../assistant';
import type { Vault } from '../vault';
import { StoreError } from './errors';

const CACHE_ID = 'model-cache';
const entriesSchema = z.array(z.tuple([z.string().max(4000), CommandSchema])).max(1000);

/**
 * [AST7] The cloud model's answers, kept in the vault (encrypted) so a repeated command costs no request,
 * across restarts too. What is kept is the redacted request's key and the model's command before names are
 * mapped back: no contact name is in it. One bounded record, least recently used first out; two writes at
 * the same moment may lose one entry, which only costs a request later.
 */
export function modelCacheStore(vault: Vault, capacity = 200): UnderstandingCache {
  async function load(): Promise<Map<string, Command>> {
    const row = await vault.get('agentConfig', CACHE_ID);
    if (row === undefined) return new Map();
    const parsed = entriesSchema.safeParse(row['entries']);
    if (!parsed.success) throw new StoreError('invalid_record', 'The stored model answers are not readable.');
    return new Map(parsed.data);
  }
  const save = (entries: Map<string, Command>) =>
    vault.put('agentConfig', { id: CACHE_ID, entries: [...entries] });

  return {
    async get(key) {
      return (await load()).get(key);
    },
    async set(key, command) {
      const entries = await load();
      entries.delete(key);
      entries.set(key, CommandSchema.parse(command));
      while (entries.size > capacity) entries.delete(entries.keys().next().value!);
      await save(entries);
    },
  };
}

const REQUESTS_ID = 'model-requests';
const requestSchema = z
  .object({ at: z.number(), model: z.string().max(100), text: z.string().max(4000) })
  .strict();
export type ModelRequest = z.infer<typeof requestSchema>;

export interface ModelRequestLog {
  append(request: ModelRequest): Promise<void>;
  /** Newest first. */
  list(): Promise<ModelRequest[]>;
}

/**
 * [AST10] What left the device for a cloud model: when, to which model, and the exact (redacted) words, the
 * newest `capacity` kept, in the vault, for the person to see.
 */
export function modelRequestLog(vault: Vault, capacity = 100): ModelRequestLog {
  async function load(): Promise<ModelRequest[]> {
    const row = await vault.get('agentConfig', REQUESTS_ID);
    if (row === undefined) return [];
    const parsed = z.array(requestSchema).safeParse(row['requests']);
    if (!parsed.success)
      throw new StoreError('invalid_record', 'The stored model requests are not readable.');
    return parsed.data;
  }
  return {
    async append(request) {
      const requests = [requestSchema.parse(request), ...(await load())].slice(0, capacity);
      await vault.put('agentConfig', { id: REQUESTS_ID, requests });
    },
    list: load,
  };
}
