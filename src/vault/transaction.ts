import type { VaultContext } from './context';
import { VaultError } from './errors';
import type { LockState } from './lock-state';
import type { Records } from './records';
import type { AnyRecord, RecordMap } from './schema';
import type { VaultTx } from './types';

type Write = { readonly store: string; readonly key: IDBValidKey; readonly record: AnyRecord | undefined };

/**
 * Atomic across stores. `fn` stages writes; nothing reaches IndexedDB until it
 * returns, then every record is encrypted and all writes go into one IDB
 * transaction (crypto never runs inside it, so it cannot auto-commit half-way).
 * Runs behind the write lock, so what `fn` read is still current when it commits.
 */
export async function runTransaction<M extends RecordMap, T>(
  ctx: VaultContext,
  lock: LockState,
  records: Records,
  stores: readonly string[],
  fn: (tx: VaultTx<M>) => Promise<T> | T,
  options: { signal?: AbortSignal },
): Promise<T> {
  for (const s of stores) ctx.spec(s);
  const keys = await lock.require();
  return ctx.writes.run(async () => {
    const staged = new Map<string, Write>();
    const stageKey = (store: string, key: IDBValidKey): string => `${store}\u0000${JSON.stringify(key)}`;
    const allowed = (store: string): void => {
      if (!stores.includes(store)) {
        throw new VaultError(
          'unknown_store',
          `Store ${store} is not part of this transaction; list it in stores.`,
        );
      }
    };
    const tx: VaultTx<M> = {
      get: async (store, key) => {
        allowed(store);
        const hit = staged.get(stageKey(store, key));
        if (hit) return hit.record as M[typeof store] | undefined;
        return (await records.get(store, key)) as M[typeof store] | undefined;
      },
      query: (store, query) => {
        allowed(store);
        return records.query(store, query) as Promise<M[typeof store][]>;
      },
      put: (store, record) => {
        allowed(store);
        const key = (record as AnyRecord)[ctx.spec(store).keyPath] as IDBValidKey;
        staged.set(stageKey(store, key), { store, key, record });
      },
      delete: (store, key) => {
        allowed(store);
        staged.set(stageKey(store, key), { store, key, record: undefined });
      },
    };
    const result = await fn(tx);
    ctx.throwIfAborted(options.signal);
    const writes = [...staged.values()];
    const sealed = await Promise.all(
      writes.map(async (w) =>
        w.record === undefined ? undefined : (await ctx.sealAll(keys, w.store, [w.record]))[0],
      ),
    );
    ctx.throwIfAborted(options.signal);
    if (writes.length === 0) return result;
    const idbTx = ctx.database().transaction([...stores], 'readwrite');
    const onAbort = (): void => idbTx.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await ctx.settle(
        idbTx,
        writes.map((w, i) => {
          const s = sealed[i];
          return s === undefined
            ? idbTx.objectStore(w.store).delete(w.key)
            : idbTx.objectStore(w.store).put(s);
        }),
      );
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    return result;
  });
}
