import { ChatTurnSchema, type ChatTurn } from '../assistant';
import type { Vault } from '../vault';
import { StoreError } from './errors';

export interface ChatStore {
  /** Adds turns, or replaces them by id. */
  put(turns: readonly ChatTurn[]): Promise<void>;
  get(id: string): Promise<ChatTurn | undefined>;
  /** The newest `limit` turns, oldest first. */
  recent(limit: number): Promise<ChatTurn[]>;
  /** Turns at or after `at`, oldest first (what the searchable history may have missed). */
  since(at: number): Promise<ChatTurn[]>;
  clear(): Promise<void>;
}

/**
 * [CHT1] The conversation with the agent in the vault: one encrypted record per turn, only its id and time
 * in clear. Every turn read back is validated; one that is not a turn is an error that says so.
 */
export function chatStore(vault: Vault): ChatStore {
  const turnOf = (row: Record<string, unknown>): ChatTurn => {
    const parsed = ChatTurnSchema.safeParse(row['turn']);
    if (!parsed.success) throw new StoreError('invalid_record', 'A stored chat turn is not readable.');
    return parsed.data;
  };
  return {
    async put(turns) {
      if (turns.length === 0) return;
      await vault.putMany(
        'chat',
        turns.map((t) => {
          const turn = ChatTurnSchema.parse(t);
          return { id: turn.id, at: turn.at, turn };
        }),
      );
    },
    async get(id) {
      const row = await vault.get('chat', id);
      return row && turnOf(row);
    },
    async recent(limit) {
      const rows = await vault.query('chat', { index: 'at', direction: 'prev', limit });
      return rows.map(turnOf).reverse();
    },
    async since(at) {
      return (await vault.query('chat', { index: 'at', range: { lower: at } })).map(turnOf);
    },
    async clear() {
      const rows = await vault.query('chat');
      await vault.transaction(['chat'], (tx) => rows.forEach((row) => tx.delete('chat', row.id)));
    },
  };
}
