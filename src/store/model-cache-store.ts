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
