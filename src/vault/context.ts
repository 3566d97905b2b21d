import { createLogger, errorFields } from '../log';
import { defaultCrypto, type CryptoDeps } from './aes-gcm';
import { VaultError } from './errors';
import { Mutex } from './mutex';
import { openVaultDb, type Db } from './open-db';
import { DEFAULT_KDF_POLICY, type KdfPolicy } from './pbkdf2';
import { sealRecord, type StoredRecord } from './record-crypto';
import { assertValidSchema, clearFieldsOf, VAULT_SCHEMA, type AnyRecord, type Category } from './schema';
import type { StoreSpec, VaultSchema } from './schema';
import { MemorySessionKeyStore, type SessionKeyStore } from './session-keys';
import { DEFAULT_THROTTLE, type ThrottlePolicy } from './throttle';
import type { Clock, KeyRangeSpec, VaultEvent } from './types';

export interface VaultOptions {
  /** Defaults to the global `indexedDB`. */
  readonly indexedDB?: IDBFactory;
  /** Defaults to the global `IDBKeyRange`; must come from the same implementation as the factory. */
  readonly IDBKeyRange?: typeof IDBKeyRange;
  readonly name?: string;
  readonly crypto?: CryptoDeps;
  readonly sessionKeys?: SessionKeyStore;
  readonly clock?: Clock;
  readonly kdf?: Partial<KdfPolicy>;
  /** Lock after this long without a vault operation. Default 15 minutes; Infinity disables. */
  readonly idleTimeoutMs?: number;
  readonly throttle?: Partial<ThrottlePolicy>;
  readonly schema?: VaultSchema;
}

export const DEFAULT_VAULT_NAME = 'parley-vault';
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;
/** How many records a full-store walk (integrity check, migration) holds at once. */
const BATCH = 500;

export type Keys = ReadonlyMap<Category, CryptoKey>;

export const log = createLogger('vault');

/**
 * What every part of the vault shares: the options, the open database, the write
 * lock, the listeners, and the IndexedDB helpers that know nothing about keys.
 */
export class VaultContext {
  readonly factory: IDBFactory;
  readonly keyRange: typeof IDBKeyRange;
  readonly name: string;
  readonly crypto: CryptoDeps;
  readonly session: SessionKeyStore;
  readonly clock: Clock;
  readonly kdf: KdfPolicy;
  readonly idleTimeoutMs: number;
  readonly throttle: ThrottlePolicy;
  readonly schema: VaultSchema;
  /** Serialises every write, so a transaction's reads are still current when it commits. */
  readonly writes = new Mutex();
  private readonly clearFields = new Map<string, ReadonlySet<string>>();
  private readonly listeners = new Set<(event: VaultEvent) => void>();
  private db: Db | undefined;

  constructor(options: VaultOptions) {
    const factory = options.indexedDB ?? (globalThis.indexedDB as IDBFactory | undefined);
    const keyRange = options.IDBKeyRange ?? (globalThis.IDBKeyRange as typeof IDBKeyRange | undefined);
    if (!factory || !keyRange) {
      throw new VaultError('closed', 'IndexedDB is not available here; pass indexedDB and IDBKeyRange.');
    }
    this.factory = factory;
    this.keyRange = keyRange;
    this.name = options.name ?? DEFAULT_VAULT_NAME;
    this.crypto = options.crypto ?? defaultCrypto();
    this.session = options.sessionKeys ?? new MemorySessionKeyStore();
    this.clock = options.clock ?? { now: () => Date.now() };
    this.kdf = { ...DEFAULT_KDF_POLICY, ...options.kdf };
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.throttle = { ...DEFAULT_THROTTLE, ...options.throttle };
    this.schema = options.schema ?? VAULT_SCHEMA;
    assertValidSchema(this.schema);
    for (const [store, spec] of Object.entries(this.schema.stores)) {
      this.clearFields.set(store, new Set(clearFieldsOf(spec)));
    }
  }

  async openDb(): Promise<void> {
    this.db = await openVaultDb(this.factory, this.name, this.schema);
  }

  closeDb(): void {
    this.db?.close();
    this.db = undefined;
  }

  database(): Db {
    if (!this.db) throw new VaultError('closed', 'The vault is closed; open it again with openVault().');
    return this.db;
  }

  spec(store: string): StoreSpec {
    const spec = this.schema.stores[store];
    if (!spec) throw new VaultError('unknown_store', `No store named "${store}" in the vault registry.`);
    return spec;
  }

  subscribe(listener: (event: VaultEvent) => void, signal?: AbortSignal): () => void {
    this.listeners.add(listener);
    const off = (): void => void this.listeners.delete(listener);
    signal?.addEventListener('abort', off, { once: true });
    return off;
  }

  emit(event: VaultEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        // A listener's bug must not break vault operations; it is only reported.
        log.warn('listener_failed', { event: event.type, ...errorFields(e) });
      }
    }
  }

  /** Encrypts records of one store in parallel (crypto never runs inside an IDB transaction). */
  sealAll(keys: Keys, store: string, records: readonly AnyRecord[]): Promise<StoredRecord[]> {
    const spec = this.spec(store);
    const key = keys.get(spec.category)!;
    const clear = this.clearFields.get(store)!;
    return Promise.all(records.map((r) => sealRecord(this.crypto, key, store, spec.keyPath, clear, r)));
  }

  range(spec: KeyRangeSpec | undefined): IDBKeyRange | undefined {
    if (!spec) return undefined;
    if ('only' in spec) return this.keyRange.only(spec.only);
    const { lower, upper, lowerOpen = false, upperOpen = false } = spec;
    if (lower !== undefined && upper !== undefined)
      return this.keyRange.bound(lower, upper, lowerOpen, upperOpen);
    if (lower !== undefined) return this.keyRange.lowerBound(lower, lowerOpen);
    if (upper !== undefined) return this.keyRange.upperBound(upper, upperOpen);
    return undefined;
  }

  /** Every stored record of a store, a batch per short read-only transaction. */
  async *rawBatches(store: string): AsyncGenerator<unknown[]> {
    let after: IDBValidKey | undefined;
    for (;;) {
      const range = after === undefined ? undefined : this.keyRange.lowerBound(after, true);
      const tx = this.database().transaction(store, 'readonly');
      const [values, keys] = await Promise.all([
        tx.store.getAll(range, BATCH),
        tx.store.getAllKeys(range, BATCH),
        tx.done,
      ]);
      if (values.length === 0) return;
      yield values;
      after = keys[keys.length - 1];
      if (values.length < BATCH) return;
    }
  }

  /** Waits for every request and the commit; any failure aborts the whole IDB transaction. */
  async settle(tx: { done: Promise<void>; abort(): void }, requests: Promise<unknown>[]): Promise<void> {
    try {
      await Promise.all([...requests, tx.done]);
    } catch (cause) {
      // Reported to the caller as one typed error, with the IndexedDB error as its cause.
      try {
        tx.abort();
      } catch {
        // Already finished or aborted: the rollback has happened.
      }
      throw new VaultError(
        'transaction_aborted',
        'The write was rolled back; nothing was changed. Try again.',
        {
          cause,
        },
      );
    }
  }

  throwIfAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) {
      throw new VaultError(
        'transaction_aborted',
        'The transaction was cancelled before it committed; nothing was changed.',
        { cause: signal.reason },
      );
    }
  }
}
