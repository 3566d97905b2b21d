import type { VaultContext } from './context';
import type { LockState } from './lock-state';
import { quarantine } from './quarantine';
import { openBlob, openRecords } from './record-crypto';
import { BLOB_STORE, type StoreSpec } from './schema';
import type { IntegrityReport, PruneReport } from './types';

/** Decrypts every record; those that fail move to quarantine and are reported. */
export async function verifyIntegrity(ctx: VaultContext, lock: LockState): Promise<IntegrityReport> {
  const keys = await lock.require();
  let checked = 0;
  const quarantined: { store: string; key: IDBValidKey; reason: string }[] = [];
  const stores: [string, StoreSpec | undefined][] = [
    ...Object.entries(ctx.schema.stores),
    [BLOB_STORE, undefined],
  ];
  for (const [store, spec] of stores) {
    for await (const batch of ctx.rawBatches(store)) {
      const results = spec
        ? (await openRecords(ctx.crypto, keys.get(spec.category)!, store, batch)).map((r) => r.ok)
        : await Promise.all(
            batch.map(
              async (stored) => (await openBlob(ctx.crypto, keys.get('history')!, stored)) !== undefined,
            ),
          );
      checked += batch.length;
      for (const [i, ok] of results.entries()) {
        if (ok) continue;
        const stored = batch[i] as Record<string, unknown>;
        const key = stored[spec?.keyPath ?? 'id'] as IDBValidKey;
        await quarantine(ctx, store, key, stored, 'tag_mismatch');
        quarantined.push({ store, key, reason: 'tag_mismatch' });
      }
    }
  }
  return { checked, quarantined };
}

/** Deletes records of prunable stores (messages, audit) older than `olderThanMs`. */
export async function prune(
  ctx: VaultContext,
  lock: LockState,
  options: { olderThanMs: number; stores?: readonly string[] },
): Promise<PruneReport> {
  await lock.require();
  const cutoff = ctx.clock.now() - options.olderThanMs;
  const deleted: Record<string, number> = {};
  const targets = Object.entries(ctx.schema.stores).filter(
    ([name, spec]) => spec.pruneBy !== undefined && (!options.stores || options.stores.includes(name)),
  );
  await ctx.writes.run(async () => {
    for (const [store, spec] of targets) {
      const tx = ctx.database().transaction(store, 'readwrite');
      const keys = await tx.store.index(spec.pruneBy!).getAllKeys(ctx.keyRange.upperBound(cutoff, true));
      await ctx.settle(
        tx,
        keys.map((k) => tx.store.delete(k)),
      );
      deleted[store] = keys.length;
    }
  });
  return { deleted };
}

/** "Delete all my data": the database, the session keys, everything. The vault is then not set up. */
export async function deleteAllData(ctx: VaultContext, lock: LockState): Promise<void> {
  await ctx.writes.run(async () => {
    lock.forgetInMemory();
    await ctx.session.clear();
    ctx.closeDb();
    await new Promise<void>((resolve, reject) => {
      const req = ctx.factory.deleteDatabase(ctx.name);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error ?? new Error('deleteDatabase failed'));
    });
    await ctx.openDb();
  });
  ctx.emit({ type: 'reset' });
}
