import type { VaultContext } from './context';
import { VaultError } from './errors';
import type { LockState } from './lock-state';
import { quarantine } from './quarantine';
import { openBlob, openRecord, openRecords, sealBlob } from './record-crypto';
import { BLOB_STORE, type AnyRecord } from './schema';
import type { Query } from './types';

/**
 * Reading and writing records: each is sealed (encrypted, bound to its store and key)
 * before it reaches IndexedDB and opened after it leaves; one that fails its
 * integrity check is moved to quarantine, never returned.
 */
export class Records {
  constructor(
    private readonly ctx: VaultContext,
    private readonly lock: LockState,
  ) {}

  /** Encrypts all records in parallel, then writes them in one IndexedDB transaction. */
  async putMany(store: string, records: readonly AnyRecord[]): Promise<void> {
    const { ctx } = this;
    ctx.spec(store);
    const keys = await this.lock.require();
    const sealed = await ctx.sealAll(keys, store, records);
    await ctx.writes.run(async () => {
      const tx = ctx.database().transaction(store, 'readwrite');
      await ctx.settle(
        tx,
        sealed.map((s) => tx.store.put(s)),
      );
    });
  }

  async get(store: string, key: IDBValidKey): Promise<AnyRecord | undefined> {
    const { ctx } = this;
    const spec = ctx.spec(store);
    const keys = await this.lock.require();
    const stored: unknown = await ctx.database().get(store, key);
    if (stored === undefined) return undefined;
    const opened = await openRecord(ctx.crypto, keys.get(spec.category)!, store, stored);
    if (opened.ok) return opened.record;
    await quarantine(ctx, store, key, stored, opened.reason);
    throw new VaultError(
      'corrupt_record',
      `A ${store} record failed its integrity check and was moved to quarantine; restore it from a backup.`,
    );
  }

  async delete(store: string, key: IDBValidKey): Promise<void> {
    const { ctx } = this;
    ctx.spec(store);
    await this.lock.require();
    await ctx.writes.run(() => ctx.database().delete(store, key));
  }

  /** Range query on the primary key or an index; corrupt records are quarantined and left out. */
  async query(store: string, query: Query = {}): Promise<AnyRecord[]> {
    const { ctx } = this;
    const spec = ctx.spec(store);
    const keys = await this.lock.require();
    const raw = await this.readRaw(store, query);
    const key = keys.get(spec.category)!;
    const opened = await openRecords(ctx.crypto, key, store, raw);
    const out: AnyRecord[] = [];
    for (const [i, result] of opened.entries()) {
      if (result.ok) out.push(result.record);
      else {
        const stored = raw[i] as Record<string, unknown>;
        await quarantine(ctx, store, stored[spec.keyPath] as IDBValidKey, stored, result.reason);
      }
    }
    return out;
  }

  async count(store: string, query: Omit<Query, 'limit' | 'direction'> = {}): Promise<number> {
    const { ctx } = this;
    ctx.spec(store);
    await this.lock.require();
    const range = ctx.range(query.range);
    const db = ctx.database();
    return query.index === undefined ? db.count(store, range) : db.countFromIndex(store, query.index, range);
  }

  /** Primary keys in a range (clear on disk anyway): nothing is decrypted. */
  async keys(store: string, query: Omit<Query, 'limit' | 'direction'> = {}): Promise<IDBValidKey[]> {
    const { ctx } = this;
    const spec = ctx.spec(store);
    await this.lock.require();
    if (query.index !== undefined && !(query.index in spec.indexes)) {
      throw new VaultError('unknown_store', `Store ${store} has no index "${query.index}".`);
    }
    const range = ctx.range(query.range);
    const db = ctx.database();
    return query.index === undefined
      ? db.getAllKeys(store, range)
      : db.getAllKeysFromIndex(store, query.index, range);
  }

  /** Large opaque bytes (the SQLite history file), sealed whole under the history key. */
  async putBlob(id: string, data: Uint8Array<ArrayBuffer>): Promise<void> {
    const { ctx } = this;
    const keys = await this.lock.require();
    const sealed = await sealBlob(ctx.crypto, keys.get('history')!, id, data);
    await ctx.writes.run(() => ctx.database().put(BLOB_STORE, sealed));
  }

  async getBlob(id: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const { ctx } = this;
    const keys = await this.lock.require();
    const stored: unknown = await ctx.database().get(BLOB_STORE, id);
    if (stored === undefined) return undefined;
    const data = await openBlob(ctx.crypto, keys.get('history')!, stored);
    if (data) return data;
    await quarantine(ctx, BLOB_STORE, id, stored, 'tag_mismatch');
    throw new VaultError(
      'corrupt_record',
      `The ${id} database failed its integrity check; restore from a backup.`,
    );
  }

  private async readRaw(store: string, query: Query): Promise<unknown[]> {
    const { ctx } = this;
    if (query.index !== undefined && !(query.index in ctx.spec(store).indexes)) {
      throw new VaultError('unknown_store', `Store ${store} has no index "${query.index}".`);
    }
    const db = ctx.database();
    const range = ctx.range(query.range);
    const getAll = (limit?: number): Promise<unknown[]> =>
      query.index === undefined
        ? db.getAll(store, range, limit)
        : db.getAllFromIndex(store, query.index, range, limit);
    if (query.direction !== 'prev') return getAll(query.limit);
    // One getAll reversed is exactly the 'prev' order (keys, then primary keys, descending);
    // a limit needs the cursor, or every record in range would be read for a few.
    if (query.limit === undefined) return (await getAll()).reverse();
    const tx = db.transaction(store, 'readonly');
    const source = query.index === undefined ? tx.store : tx.store.index(query.index);
    const out: unknown[] = [];
    let cursor = await source.openCursor(range, 'prev');
    while (cursor && (query.limit === undefined || out.length < query.limit)) {
      out.push(cursor.value);
      cursor = await cursor.continue();
    }
    await tx.done;
    return out;
  }
}
