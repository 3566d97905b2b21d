import type { Keys, VaultContext } from './context';
import { quarantine } from './quarantine';
import { openRecords } from './record-crypto';
import { META_STORE } from './schema';

export const DATA_VERSION_ID = 'dataVersion';

/**
 * Brings the records up to the registry's data version: each pending migration
 * re-seals the stores it names (their clear/encrypted split changed). Runs as soon as
 * the keys are at hand (unlock or resume); records that no longer open go to quarantine.
 */
export async function runDataMigrations(ctx: VaultContext, keys: Keys): Promise<void> {
  const db = ctx.database();
  const row = (await db.get(META_STORE, DATA_VERSION_ID)) as { version: number } | undefined;
  const from = row?.version ?? 1;
  const pending = ctx.schema.migrations.filter((m) => m.version > from).sort((a, b) => a.version - b.version);
  for (const migration of pending) {
    for (const store of migration.resplit) {
      const spec = ctx.spec(store);
      const key = keys.get(spec.category)!;
      // Each batch is rewritten idempotently, so a worker killed half-way simply redoes it.
      for await (const batch of ctx.rawBatches(store)) {
        const opened = await openRecords(ctx.crypto, key, store, batch);
        const good = opened.flatMap((o) => (o.ok ? [o.record] : []));
        const sealed = await ctx.sealAll(keys, store, good);
        const tx = db.transaction(store, 'readwrite');
        await ctx.settle(
          tx,
          sealed.map((s) => tx.store.put(s)),
        );
        for (const [i, o] of opened.entries()) {
          if (!o.ok) {
            const stored = batch[i] as Record<string, unknown>;
            await quarantine(ctx, store, stored[spec.keyPath] as IDBValidKey, stored, o.reason);
          }
        }
      }
    }
    await db.put(META_STORE, { id: DATA_VERSION_ID, version: migration.version });
  }
  if (from < ctx.schema.version && pending.length === 0) {
    await db.put(META_STORE, { id: DATA_VERSION_ID, version: ctx.schema.version });
  }
}
