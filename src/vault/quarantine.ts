import { constantTimeEqual } from '../crypto';
import type { VaultContext } from './context';
import { QUARANTINE_STORE } from './schema';
import type { QuarantineEntry } from './types';

/**
 * Moves one stored record to quarantine, unless it changed since it was read (a
 * concurrent write replaced it with a good one). Not behind the write lock: it is
 * one self-contained IDB transaction and may be reached from inside `transaction`.
 */
export async function quarantine(
  ctx: VaultContext,
  store: string,
  key: IDBValidKey,
  stored: unknown,
  reason: string,
): Promise<void> {
  const tx = ctx.database().transaction([store, QUARANTINE_STORE], 'readwrite');
  const current = (await tx.objectStore(store).get(key)) as Record<string, unknown> | undefined;
  const same =
    current !== undefined &&
    current.iv instanceof Uint8Array &&
    (stored as Record<string, unknown>).iv instanceof Uint8Array &&
    constantTimeEqual(current.iv, (stored as { iv: Uint8Array }).iv);
  if (same || (current !== undefined && !(current.iv instanceof Uint8Array))) {
    const entry = {
      id: `${store}\u0000${JSON.stringify(key)}`,
      store,
      key,
      reason,
      at: ctx.clock.now(),
      raw: stored,
    };
    await Promise.all([tx.objectStore(QUARANTINE_STORE).put(entry), tx.objectStore(store).delete(key)]);
  }
  await tx.done;
  if (same) ctx.emit({ type: 'quarantined', store, key, reason });
}

/** What is in quarantine, without the stored bytes. */
export async function listQuarantine(ctx: VaultContext): Promise<QuarantineEntry[]> {
  const all = (await ctx.database().getAll(QUARANTINE_STORE)) as (QuarantineEntry & { raw: unknown })[];
  return all.map(({ id, store, key, reason, at }) => ({ id, store, key, reason, at }));
}

export async function clearQuarantine(ctx: VaultContext): Promise<void> {
  await ctx.writes.run(() => ctx.database().clear(QUARANTINE_STORE));
}
