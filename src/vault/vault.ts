import { VaultContext, type VaultOptions } from './context';
import { LockState } from './lock-state';
import { deleteAllData, prune, verifyIntegrity } from './maintenance';
import { clearQuarantine, listQuarantine } from './quarantine';
import { Records } from './records';
import type { RecordMap, VaultRecordMap } from './schema';
import { runTransaction } from './transaction';
import type { IntegrityReport, PruneReport, Query, QuarantineEntry, VaultEvent, VaultTx } from './types';

export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_VAULT_NAME, type VaultOptions } from './context';

/** Opens (creating or upgrading) the vault and resumes an unlocked session if one is live. */
export async function openVault<M extends RecordMap = VaultRecordMap>(
  options: VaultOptions = {},
): Promise<Vault<M>> {
  const vault = new Vault<M>(options);
  await vault.open();
  return vault;
}

/** The parts behind a vault, for the modules of src/vault that work across them (backup, bench). */
export interface VaultParts {
  readonly ctx: VaultContext;
  readonly lock: LockState;
  readonly records: Records;
}

const partsOf = new WeakMap<object, VaultParts>();

/** Not exported from index.ts: callers outside src/vault use the Vault's methods. */
export function vaultParts<M extends RecordMap>(vault: Vault<M>): VaultParts {
  return partsOf.get(vault)!;
}

/**
 * The encrypted store, typed by its record map. The work is done by its parts:
 * the key lifecycle (lock-state.ts), records (records.ts, transaction.ts), and
 * maintenance (quarantine.ts, maintenance.ts); backup.ts exports and imports.
 */
export class Vault<M extends RecordMap = VaultRecordMap> {
  readonly #ctx: VaultContext;
  readonly #lock: LockState;
  readonly #records: Records;

  constructor(options: VaultOptions) {
    this.#ctx = new VaultContext(options);
    this.#lock = new LockState(this.#ctx);
    this.#records = new Records(this.#ctx, this.#lock);
    partsOf.set(this, { ctx: this.#ctx, lock: this.#lock, records: this.#records });
  }

  /** @internal use openVault */
  async open(): Promise<void> {
    await this.#ctx.openDb();
    await this.#lock.resume();
  }

  get isUnlocked(): boolean {
    return this.#lock.isUnlocked;
  }

  subscribe(listener: (event: VaultEvent) => void, signal?: AbortSignal): () => void {
    return this.#ctx.subscribe(listener, signal);
  }

  // ---- lock / unlock (lock-state.ts) ---------------------------------------------

  isSetUp(): Promise<boolean> {
    return this.#lock.isSetUp();
  }

  setUp(passphrase: string): Promise<void> {
    return this.#lock.setUp(passphrase);
  }

  unlock(passphrase: string): Promise<void> {
    return this.#lock.unlock(passphrase);
  }

  /** Re-wraps the data keys under the new passphrase; no record is rewritten. */
  changePassphrase(current: string, next: string): Promise<void> {
    return this.#lock.changePassphrase(current, next);
  }

  lock(): Promise<void> {
    return this.#lock.lock('user');
  }

  /** Drops the in-memory keys and closes the database; the session keys stay (worker shutdown). */
  close(): void {
    this.#lock.forgetInMemory();
    this.#ctx.closeDb();
  }

  /** Checks the idle deadline now; call it from a periodic alarm so an idle vault locks without a read. */
  checkIdle(): Promise<boolean> {
    return this.#lock.checkIdle();
  }

  // ---- records (records.ts, transaction.ts) --------------------------------------

  async put<S extends keyof M & string>(store: S, record: M[S]): Promise<void> {
    await this.#records.putMany(store, [record]);
  }

  /** Encrypts all records in parallel, then writes them in one IndexedDB transaction. */
  putMany<S extends keyof M & string>(store: S, records: readonly M[S][]): Promise<void> {
    return this.#records.putMany(store, records);
  }

  get<S extends keyof M & string>(store: S, key: IDBValidKey): Promise<M[S] | undefined> {
    return this.#records.get(store, key) as Promise<M[S] | undefined>;
  }

  delete<S extends keyof M & string>(store: S, key: IDBValidKey): Promise<void> {
    return this.#records.delete(store, key);
  }

  /** Range query on the primary key or an index; corrupt records are quarantined and left out. */
  query<S extends keyof M & string>(store: S, query: Query = {}): Promise<M[S][]> {
    return this.#records.query(store, query) as Promise<M[S][]>;
  }

  count<S extends keyof M & string>(
    store: S,
    query: Omit<Query, 'limit' | 'direction'> = {},
  ): Promise<number> {
    return this.#records.count(store, query);
  }

  /** Primary keys of the records in a range (on the primary key or an index), without decrypting any. */
  keys<S extends keyof M & string>(
    store: S,
    query: Omit<Query, 'limit' | 'direction'> = {},
  ): Promise<IDBValidKey[]> {
    return this.#records.keys(store, query);
  }

  /**
   * Atomic across stores: `fn` stages writes through `tx`, and they are encrypted and
   * committed in one IndexedDB transaction after it returns. Transactions and writes
   * are serialised, so what `fn` read is still current when it commits. Do not call
   * the vault's own put/delete from inside `fn` (it would wait for itself); use `tx`.
   */
  transaction<T>(
    stores: readonly (keyof M & string)[],
    fn: (tx: VaultTx<M>) => Promise<T> | T,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    return runTransaction(this.#ctx, this.#lock, this.#records, stores, fn, options);
  }

  /** The SQLite history file, sealed whole. */
  putBlob(id: string, data: Uint8Array<ArrayBuffer>): Promise<void> {
    return this.#records.putBlob(id, data);
  }

  getBlob(id: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    return this.#records.getBlob(id);
  }

  // ---- integrity, pruning, deletion (maintenance.ts, quarantine.ts) --------------

  /** Decrypts every record; those that fail move to quarantine and are reported. */
  verifyIntegrity(): Promise<IntegrityReport> {
    return verifyIntegrity(this.#ctx, this.#lock);
  }

  listQuarantine(): Promise<QuarantineEntry[]> {
    return listQuarantine(this.#ctx);
  }

  clearQuarantine(): Promise<void> {
    return clearQuarantine(this.#ctx);
  }

  /** Deletes records of prunable stores (messages, audit) older than `olderThanMs`. */
  prune(options: { olderThanMs: number; stores?: readonly (keyof M & string)[] }): Promise<PruneReport> {
    return prune(this.#ctx, this.#lock, options);
  }

  /** "Delete all my data": the database, the session keys, everything. The vault is then not set up. */
  deleteAllData(): Promise<void> {
    return deleteAllData(this.#ctx, this.#lock);
  }
}
