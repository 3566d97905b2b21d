import { defaultCrypto, importAesGcmKey, randomBytes, type CryptoDeps } from './aes-gcm';
import { bytesToHex, equalBytes, fromBase64, toBase64 } from './bytes';
import { VaultError } from './errors';
import {
  KEYRING_ID,
  keysMatch,
  newRawKeys,
  unwrapKeyring,
  wrapKeyring,
  type KeyringRecord,
  type RawKeys,
} from './keyring';
import { Mutex } from './mutex';
import { openVaultDb, type Db } from './open-db';
import { DEFAULT_KDF_POLICY, type KdfPolicy } from './pbkdf2';
import { openBlob, openRecord, sealBlob, sealRecord, type StoredRecord } from './record-crypto';
import {
  assertValidSchema,
  BLOB_STORE,
  CATEGORIES,
  clearFieldsOf,
  META_STORE,
  QUARANTINE_STORE,
  VAULT_SCHEMA,
  type AnyRecord,
  type Category,
  type RecordMap,
  type StoreSpec,
  type VaultRecordMap,
  type VaultSchema,
} from './schema';
import { MemorySessionKeyStore, type SessionKeyStore } from './session-keys';
import {
  afterFailure,
  DEFAULT_THROTTLE,
  THROTTLE_ID,
  type ThrottlePolicy,
  type ThrottleRecord,
} from './throttle';
import type {
  Clock,
  ImportReport,
  IntegrityReport,
  KeyRangeSpec,
  PruneReport,
  Query,
  QuarantineEntry,
  VaultEvent,
  VaultTx,
} from './types';

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
const DATA_VERSION_ID = 'dataVersion';
const BATCH = 500;

type Keys = Map<Category, CryptoKey>;
type Write = { readonly store: string; readonly key: IDBValidKey; readonly record: AnyRecord | undefined };

/** Opens (creating or upgrading) the vault and resumes an unlocked session if one is live. */
export async function openVault<M extends RecordMap = VaultRecordMap>(
  options: VaultOptions = {},
): Promise<Vault<M>> {
  const vault = new Vault<M>(options);
  await vault.open();
  return vault;
}

/**
 * Lock states:
 *
 *   (not set up) --setUp--> UNLOCKED <--unlock/resume-- LOCKED
 *                             |  ^                         ^
 *                             |  +---- operations ---------|--- idle > timeout (checked on use)
 *                             +----------- lock() ---------+
 *
 * Keys live in memory and in the SessionKeyStore while unlocked; `close()` drops the
 * memory copy only (a worker shutting down), `lock()` drops both.
 */
export class Vault<M extends RecordMap = VaultRecordMap> {
  private readonly factory: IDBFactory;
  private readonly keyRange: typeof IDBKeyRange;
  private readonly name: string;
  private readonly crypto: CryptoDeps;
  private readonly session: SessionKeyStore;
  private readonly clock: Clock;
  private readonly kdf: KdfPolicy;
  private readonly idleTimeoutMs: number;
  private readonly throttle: ThrottlePolicy;
  private readonly schema: VaultSchema;
  private readonly clearFields = new Map<string, ReadonlySet<string>>();
  private readonly writes = new Mutex();
  private readonly unlocks = new Mutex();
  private readonly listeners = new Set<(event: VaultEvent) => void>();
  private db: Db | undefined;
  private keys: Keys | undefined;
  private rawKeys: RawKeys | undefined;
  private vaultId: string | undefined;
  private lastActivityAt = 0;
  private persistedActivityAt = 0;

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

  /** @internal use openVault */
  async open(): Promise<void> {
    this.db = await openVaultDb(this.factory, this.name, this.schema);
    await this.resume();
  }

  get isUnlocked(): boolean {
    return this.keys !== undefined;
  }

  subscribe(listener: (event: VaultEvent) => void, signal?: AbortSignal): () => void {
    this.listeners.add(listener);
    const off = (): void => void this.listeners.delete(listener);
    signal?.addEventListener('abort', off, { once: true });
    return off;
  }

  async isSetUp(): Promise<boolean> {
    return (await this.keyring()) !== undefined;
  }

  // ---- lock / unlock -------------------------------------------------------------

  async setUp(passphrase: string): Promise<void> {
    await this.unlocks.run(async () => {
      if (passphrase.length === 0)
        throw new VaultError('wrong_passphrase', 'Choose a passphrase that is not empty.');
      if (await this.keyring()) {
        throw new VaultError(
          'already_set_up',
          'This vault already has a passphrase; unlock it or change the passphrase.',
        );
      }
      const vaultId = bytesToHex(randomBytes(this.crypto, 16));
      const raw = newRawKeys(this.crypto);
      const ring = await wrapKeyring(this.crypto, vaultId, passphrase, raw, this.kdf);
      const tx = this.database().transaction(META_STORE, 'readwrite');
      // add(), not put(): two racing set-ups cannot both win.
      await Promise.all([
        tx.store.add(ring),
        tx.store.put({ id: DATA_VERSION_ID, version: this.schema.version }),
        tx.done,
      ]);
      await this.becomeUnlocked(vaultId, raw);
    });
  }

  async unlock(passphrase: string): Promise<void> {
    await this.unlocks.run(async () => {
      const raw = await this.checkPassphrase(passphrase);
      const ring = (await this.keyring())!;
      await this.becomeUnlocked(ring.vaultId, raw);
      await this.runDataMigrations();
    });
  }

  /** Re-wraps the data keys under the new passphrase; no record is rewritten. */
  async changePassphrase(current: string, next: string): Promise<void> {
    await this.unlocks.run(async () => {
      if (next.length === 0)
        throw new VaultError('wrong_passphrase', 'Choose a new passphrase that is not empty.');
      const raw = await this.checkPassphrase(current);
      const ring = (await this.keyring())!;
      const rewrapped = await wrapKeyring(this.crypto, ring.vaultId, next, raw, this.kdf);
      await this.database().put(META_STORE, rewrapped);
    });
  }

  async lock(): Promise<void> {
    await this.dropKeys('user');
  }

  /** Drops the in-memory keys and closes the database; the session keys stay (worker shutdown). */
  close(): void {
    this.keys = undefined;
    this.rawKeys = undefined;
    this.db?.close();
    this.db = undefined;
  }

  /** Checks the idle deadline now; call it from a periodic alarm so an idle vault locks without a read. */
  async checkIdle(): Promise<boolean> {
    if (this.keys && this.clock.now() - this.lastActivityAt > this.idleTimeoutMs) {
      await this.dropKeys('idle');
      return true;
    }
    return false;
  }

  // ---- records -------------------------------------------------------------------

  async put<S extends keyof M & string>(store: S, record: M[S]): Promise<void> {
    await this.putMany(store, [record]);
  }

  /** Encrypts all records in parallel, then writes them in one IndexedDB transaction. */
  async putMany<S extends keyof M & string>(store: S, records: readonly M[S][]): Promise<void> {
    const spec = this.spec(store);
    const keys = await this.requireKeys();
    const sealed = await this.sealAll(keys, store, spec, records);
    await this.writes.run(async () => {
      const tx = this.database().transaction(store, 'readwrite');
      await this.settle(
        tx,
        sealed.map((s) => tx.store.put(s)),
      );
    });
  }

  async get<S extends keyof M & string>(store: S, key: IDBValidKey): Promise<M[S] | undefined> {
    const spec = this.spec(store);
    const keys = await this.requireKeys();
    const stored: unknown = await this.database().get(store, key);
    if (stored === undefined) return undefined;
    const opened = await openRecord(this.crypto, keys.get(spec.category)!, store, stored);
    if (opened.ok) return opened.record as M[S];
    await this.quarantine(store, key, stored, opened.reason);
    throw new VaultError(
      'corrupt_record',
      `A ${store} record failed its integrity check and was moved to quarantine; restore it from a backup.`,
    );
  }

  async delete<S extends keyof M & string>(store: S, key: IDBValidKey): Promise<void> {
    this.spec(store);
    await this.requireKeys();
    await this.writes.run(() => this.database().delete(store, key));
  }

  /** Range query on the primary key or an index; corrupt records are quarantined and left out. */
  async query<S extends keyof M & string>(store: S, query: Query = {}): Promise<M[S][]> {
    const spec = this.spec(store);
    const keys = await this.requireKeys();
    const raw = await this.readRaw(store, spec, query);
    const key = keys.get(spec.category)!;
    const opened = await Promise.all(raw.map((s) => openRecord(this.crypto, key, store, s)));
    const out: M[S][] = [];
    for (const [i, result] of opened.entries()) {
      if (result.ok) out.push(result.record as M[S]);
      else {
        const stored = raw[i] as Record<string, unknown>;
        await this.quarantine(store, stored[spec.keyPath] as IDBValidKey, stored, result.reason);
      }
    }
    return out;
  }

  async count<S extends keyof M & string>(
    store: S,
    query: Omit<Query, 'limit' | 'direction'> = {},
  ): Promise<number> {
    this.spec(store);
    await this.requireKeys();
    const range = this.range(query.range);
    const db = this.database();
    return query.index === undefined ? db.count(store, range) : db.countFromIndex(store, query.index, range);
  }

  /**
   * Atomic across stores. `fn` stages writes; nothing reaches IndexedDB until it
   * returns, then every record is encrypted and all writes go into one IDB
   * transaction (crypto never runs inside it, so it cannot auto-commit half-way).
   * Transactions and writes are serialised, so what `fn` read is still current when
   * it commits. Do not call the vault's own put/delete from inside `fn` (it would wait
   * for itself); use `tx`.
   */
  async transaction<T>(
    stores: readonly (keyof M & string)[],
    fn: (tx: VaultTx<M>) => Promise<T> | T,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    for (const s of stores) this.spec(s);
    const keys = await this.requireKeys();
    return this.writes.run(async () => {
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
          return this.get(store, key);
        },
        query: (store, query) => {
          allowed(store);
          return this.query(store, query);
        },
        put: (store, record) => {
          allowed(store);
          const key = (record as AnyRecord)[this.spec(store).keyPath] as IDBValidKey;
          staged.set(stageKey(store, key), { store, key, record });
        },
        delete: (store, key) => {
          allowed(store);
          staged.set(stageKey(store, key), { store, key, record: undefined });
        },
      };
      const result = await fn(tx);
      this.throwIfAborted(options.signal);
      const writes = [...staged.values()];
      const sealed = await Promise.all(
        writes.map((w) =>
          w.record === undefined
            ? undefined
            : sealRecord(
                this.crypto,
                keys.get(this.spec(w.store).category)!,
                w.store,
                this.spec(w.store).keyPath,
                this.clearFields.get(w.store)!,
                w.record,
              ),
        ),
      );
      this.throwIfAborted(options.signal);
      if (writes.length === 0) return result;
      const idbTx = this.database().transaction([...stores], 'readwrite');
      const onAbort = (): void => idbTx.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await this.settle(
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

  // ---- blobs (the SQLite history file) -------------------------------------------

  async putBlob(id: string, data: Uint8Array<ArrayBuffer>): Promise<void> {
    const keys = await this.requireKeys();
    const sealed = await sealBlob(this.crypto, keys.get('history')!, id, data);
    await this.writes.run(() => this.database().put(BLOB_STORE, sealed));
  }

  async getBlob(id: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const keys = await this.requireKeys();
    const stored: unknown = await this.database().get(BLOB_STORE, id);
    if (stored === undefined) return undefined;
    const data = await openBlob(this.crypto, keys.get('history')!, stored);
    if (data) return data;
    await this.quarantine(BLOB_STORE, id, stored, 'tag_mismatch');
    throw new VaultError(
      'corrupt_record',
      `The ${id} database failed its integrity check; restore from a backup.`,
    );
  }

  // ---- integrity, pruning, deletion ----------------------------------------------

  /** Decrypts every record; those that fail move to quarantine and are reported. */
  async verifyIntegrity(): Promise<IntegrityReport> {
    const keys = await this.requireKeys();
    let checked = 0;
    const quarantined: { store: string; key: IDBValidKey; reason: string }[] = [];
    const stores: [string, StoreSpec | undefined][] = [
      ...Object.entries(this.schema.stores),
      [BLOB_STORE, undefined],
    ];
    for (const [store, spec] of stores) {
      for await (const batch of this.rawBatches(store)) {
        const results = await Promise.all(
          batch.map(async (stored) =>
            spec
              ? (await openRecord(this.crypto, keys.get(spec.category)!, store, stored)).ok
              : (await openBlob(this.crypto, keys.get('history')!, stored)) !== undefined,
          ),
        );
        checked += batch.length;
        for (const [i, ok] of results.entries()) {
          if (ok) continue;
          const stored = batch[i] as Record<string, unknown>;
          const key = stored[spec?.keyPath ?? 'id'] as IDBValidKey;
          await this.quarantine(store, key, stored, 'tag_mismatch');
          quarantined.push({ store, key, reason: 'tag_mismatch' });
        }
      }
    }
    return { checked, quarantined };
  }

  async listQuarantine(): Promise<QuarantineEntry[]> {
    const all = (await this.database().getAll(QUARANTINE_STORE)) as (QuarantineEntry & { raw: unknown })[];
    return all.map(({ id, store, key, reason, at }) => ({ id, store, key, reason, at }));
  }

  async clearQuarantine(): Promise<void> {
    await this.writes.run(() => this.database().clear(QUARANTINE_STORE));
  }

  /** Deletes records of prunable stores (messages, audit) older than `olderThanMs`. */
  async prune(options: {
    olderThanMs: number;
    stores?: readonly (keyof M & string)[];
  }): Promise<PruneReport> {
    await this.requireKeys();
    const cutoff = this.clock.now() - options.olderThanMs;
    const deleted: Record<string, number> = {};
    const targets = Object.entries(this.schema.stores).filter(
      ([name, spec]) => spec.pruneBy !== undefined && (!options.stores || options.stores.includes(name)),
    );
    await this.writes.run(async () => {
      for (const [store, spec] of targets) {
        const tx = this.database().transaction(store, 'readwrite');
        const keys = await tx.store.index(spec.pruneBy!).getAllKeys(this.keyRange.upperBound(cutoff, true));
        await this.settle(
          tx,
          keys.map((k) => tx.store.delete(k)),
        );
        deleted[store] = keys.length;
      }
    });
    return { deleted };
  }

  /** "Delete all my data": the database, the session keys, everything. The vault is then not set up. */
  async deleteAllData(): Promise<void> {
    await this.writes.run(async () => {
      this.keys = undefined;
      this.rawKeys = undefined;
      await this.session.clear();
      this.db?.close();
      this.db = undefined;
      await new Promise<void>((resolve, reject) => {
        const req = this.factory.deleteDatabase(this.name);
        req.onsuccess = () => resolve();
        req.onerror = () => reject(req.error ?? new Error('deleteDatabase failed'));
      });
      this.db = await openVaultDb(this.factory, this.name, this.schema);
    });
    this.emit({ type: 'reset' });
  }

  // ---- backup support (used by backup.ts) ----------------------------------------

  /** @internal every record of every store, decrypted, plus blobs; for export only. */
  async exportAll(): Promise<{
    stores: Record<string, AnyRecord[]>;
    blobs: Record<string, Uint8Array<ArrayBuffer>>;
  }> {
    await this.requireKeys();
    const stores: Record<string, AnyRecord[]> = {};
    for (const store of Object.keys(this.schema.stores)) stores[store] = await this.query(store);
    const blobs: Record<string, Uint8Array<ArrayBuffer>> = {};
    for (const key of await this.database().getAllKeys(BLOB_STORE)) {
      const data = await this.getBlob(String(key));
      if (data) blobs[String(key)] = data;
    }
    return { stores, blobs };
  }

  /** @internal writes a validated backup in one IDB transaction; nothing is written if any step fails. */
  async importAll(
    data: { stores: Record<string, AnyRecord[]>; blobs: Record<string, Uint8Array<ArrayBuffer>> },
    mode: 'merge' | 'replace',
  ): Promise<ImportReport> {
    const keys = await this.requireKeys();
    const names = Object.keys(data.stores).filter((s) => s in this.schema.stores);
    const sealed = new Map<string, StoredRecord[]>();
    for (const store of names) {
      sealed.set(store, await this.sealAll(keys, store, this.spec(store), data.stores[store]!));
    }
    const blobs = await Promise.all(
      Object.entries(data.blobs).map(([id, bytes]) => sealBlob(this.crypto, keys.get('history')!, id, bytes)),
    );
    let written = 0;
    let skipped = 0;
    await this.writes.run(async () => {
      const all = [...Object.keys(this.schema.stores), BLOB_STORE];
      const tx = this.database().transaction(all, 'readwrite');
      const requests: Promise<unknown>[] = [];
      if (mode === 'replace') for (const s of all) requests.push(tx.objectStore(s).clear());
      const writeAll = async (store: string, records: StoredRecord[], keyPath: string): Promise<void> => {
        const os = tx.objectStore(store);
        if (mode === 'replace') {
          for (const r of records) requests.push(os.put(r));
          written += records.length;
          return;
        }
        // Merge keeps what this device already has: a backup never overwrites newer local data.
        const existing = new Set((await os.getAllKeys()).map((k) => JSON.stringify(k)));
        for (const r of records) {
          if (existing.has(JSON.stringify(r[keyPath]))) skipped++;
          else {
            requests.push(os.put(r));
            written++;
          }
        }
      };
      const work = [
        ...names.map((s) => writeAll(s, sealed.get(s)!, this.spec(s).keyPath)),
        writeAll(BLOB_STORE, blobs, 'id'),
      ];
      await this.settle(tx, [...requests, Promise.all(work).then(() => Promise.all(requests))]);
    });
    this.emit({ type: 'reset' });
    return { mode, written, skipped };
  }

  /** @internal */
  get kdfPolicy(): KdfPolicy {
    return this.kdf;
  }

  /** @internal */
  get cryptoDeps(): CryptoDeps {
    return this.crypto;
  }

  /** @internal */
  get schemaVersion(): number {
    return this.schema.version;
  }

  // ---- internals -----------------------------------------------------------------

  private database(): Db {
    if (!this.db) throw new VaultError('closed', 'The vault is closed; open it again with openVault().');
    return this.db;
  }

  private spec(store: string): StoreSpec {
    const spec = this.schema.stores[store];
    if (!spec) throw new VaultError('unknown_store', `No store named "${store}" in the vault registry.`);
    return spec;
  }

  private async keyring(): Promise<KeyringRecord | undefined> {
    return (await this.database().get(META_STORE, KEYRING_ID)) as KeyringRecord | undefined;
  }

  private async checkPassphrase(passphrase: string): Promise<RawKeys> {
    const ring = await this.keyring();
    if (!ring) throw new VaultError('not_set_up', 'The vault has no passphrase yet; run set-up first.');
    const db = this.database();
    const throttle = (await db.get(META_STORE, THROTTLE_ID)) as ThrottleRecord | undefined;
    const now = this.clock.now();
    if (throttle && now < throttle.notBefore) {
      const retryAfterMs = throttle.notBefore - now;
      throw new VaultError(
        'unlock_throttled',
        `Too many wrong passphrases; try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
        {
          retryAfterMs,
        },
      );
    }
    const raw = await unwrapKeyring(this.crypto, ring, passphrase, this.kdf);
    if (!raw) {
      const next = afterFailure(this.throttle, throttle, this.clock.now());
      await db.put(META_STORE, next);
      const retryAfterMs = Math.max(0, next.notBefore - this.clock.now());
      throw new VaultError(
        'wrong_passphrase',
        'That passphrase does not open this vault; nothing was changed.',
        {
          retryAfterMs,
        },
      );
    }
    if (throttle) await db.delete(META_STORE, THROTTLE_ID);
    // Categories added by a newer registry get their key the first time the passphrase is at hand.
    const missing = CATEGORIES.filter((c) => !raw.has(c));
    if (missing.length > 0) {
      const fresh = newRawKeys(this.crypto);
      for (const c of missing) raw.set(c, fresh.get(c)!);
      await db.put(META_STORE, await wrapKeyring(this.crypto, ring.vaultId, passphrase, raw, this.kdf));
    }
    return raw;
  }

  private async becomeUnlocked(vaultId: string, raw: RawKeys): Promise<void> {
    const keys: Keys = new Map();
    await Promise.all(
      [...raw].map(async ([c, bytes]) => keys.set(c, await importAesGcmKey(this.crypto, bytes))),
    );
    this.keys = keys;
    this.rawKeys = raw;
    this.vaultId = vaultId;
    this.lastActivityAt = this.clock.now();
    await this.persistSession();
    this.emit({ type: 'unlocked' });
  }

  private async persistSession(): Promise<void> {
    if (!this.rawKeys || !this.vaultId) return;
    const keys: Record<string, string> = {};
    for (const [c, bytes] of this.rawKeys) keys[c] = toBase64(bytes);
    this.persistedActivityAt = this.lastActivityAt;
    await this.session.save({ vaultId: this.vaultId, keys, lastActivityAt: this.lastActivityAt });
  }

  private async resume(): Promise<void> {
    const saved = await this.session.load();
    if (!saved) return;
    const ring = await this.keyring();
    const raw: RawKeys = new Map();
    for (const [c, b64] of Object.entries(saved.keys)) raw.set(c as Category, fromBase64(b64));
    const fresh = this.clock.now() - saved.lastActivityAt <= this.idleTimeoutMs;
    if (!ring || ring.vaultId !== saved.vaultId || !fresh || !(await keysMatch(this.crypto, ring, raw))) {
      await this.session.clear();
      return;
    }
    const keys: Keys = new Map();
    await Promise.all(
      [...raw].map(async ([c, bytes]) => keys.set(c, await importAesGcmKey(this.crypto, bytes))),
    );
    this.keys = keys;
    this.rawKeys = raw;
    this.vaultId = ring.vaultId;
    this.lastActivityAt = saved.lastActivityAt;
    this.persistedActivityAt = saved.lastActivityAt;
    await this.runDataMigrations();
  }

  private async requireKeys(): Promise<Keys> {
    this.database();
    if (!this.keys) throw new VaultError('locked', 'The vault is locked; unlock it with the passphrase.');
    const now = this.clock.now();
    if (now - this.lastActivityAt > this.idleTimeoutMs) {
      await this.dropKeys('idle');
      throw new VaultError(
        'locked',
        'The vault locked itself after being idle; unlock it with the passphrase.',
      );
    }
    this.lastActivityAt = now;
    // The session copy of the activity time only needs to be roughly current.
    if (now - this.persistedActivityAt > Math.min(this.idleTimeoutMs / 4, 60_000)) {
      this.persistSession().catch(() => undefined);
    }
    return this.keys;
  }

  private async dropKeys(reason: 'user' | 'idle'): Promise<void> {
    const was = this.keys !== undefined;
    this.keys = undefined;
    this.rawKeys = undefined;
    await this.session.clear();
    if (was) this.emit({ type: 'locked', reason });
  }

  private emit(event: VaultEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A listener's bug must not break vault operations.
      }
    }
  }

  private sealAll(
    keys: Keys,
    store: string,
    spec: StoreSpec,
    records: readonly AnyRecord[],
  ): Promise<StoredRecord[]> {
    const key = keys.get(spec.category)!;
    const clear = this.clearFields.get(store)!;
    return Promise.all(records.map((r) => sealRecord(this.crypto, key, store, spec.keyPath, clear, r)));
  }

  private range(spec: KeyRangeSpec | undefined): IDBKeyRange | undefined {
    if (!spec) return undefined;
    if ('only' in spec) return this.keyRange.only(spec.only);
    const { lower, upper, lowerOpen = false, upperOpen = false } = spec;
    if (lower !== undefined && upper !== undefined)
      return this.keyRange.bound(lower, upper, lowerOpen, upperOpen);
    if (lower !== undefined) return this.keyRange.lowerBound(lower, lowerOpen);
    if (upper !== undefined) return this.keyRange.upperBound(upper, upperOpen);
    return undefined;
  }

  private async readRaw(store: string, spec: StoreSpec, query: Query): Promise<unknown[]> {
    if (query.index !== undefined && !(query.index in spec.indexes)) {
      throw new VaultError('unknown_store', `Store ${store} has no index "${query.index}".`);
    }
    const db = this.database();
    const range = this.range(query.range);
    if (query.direction !== 'prev') {
      return query.index === undefined
        ? db.getAll(store, range, query.limit)
        : db.getAllFromIndex(store, query.index, range, query.limit);
    }
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

  private async *rawBatches(store: string): AsyncGenerator<unknown[]> {
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

  /**
   * Moves one stored record to quarantine, unless it changed since it was read (a
   * concurrent write replaced it with a good one). Not behind the write lock: it is
   * one self-contained IDB transaction and may be reached from inside `transaction`.
   */
  private async quarantine(store: string, key: IDBValidKey, stored: unknown, reason: string): Promise<void> {
    const db = this.database();
    const tx = db.transaction([store, QUARANTINE_STORE], 'readwrite');
    const current = (await tx.objectStore(store).get(key)) as Record<string, unknown> | undefined;
    const same =
      current !== undefined &&
      current.iv instanceof Uint8Array &&
      (stored as Record<string, unknown>).iv instanceof Uint8Array &&
      equalBytes(current.iv, (stored as { iv: Uint8Array }).iv);
    if (same || (current !== undefined && !(current.iv instanceof Uint8Array))) {
      const entry = {
        id: `${store}\u0000${JSON.stringify(key)}`,
        store,
        key,
        reason,
        at: this.clock.now(),
        raw: stored,
      };
      await Promise.all([tx.objectStore(QUARANTINE_STORE).put(entry), tx.objectStore(store).delete(key)]);
    }
    await tx.done;
    if (same) this.emit({ type: 'quarantined', store, key, reason });
  }

  private async runDataMigrations(): Promise<void> {
    const db = this.database();
    const row = (await db.get(META_STORE, DATA_VERSION_ID)) as { version: number } | undefined;
    const from = row?.version ?? 1;
    const pending = this.schema.migrations
      .filter((m) => m.version > from)
      .sort((a, b) => a.version - b.version);
    const keys = this.keys!;
    for (const migration of pending) {
      for (const store of migration.resplit) {
        const spec = this.spec(store);
        const key = keys.get(spec.category)!;
        // Each batch is rewritten idempotently, so a worker killed half-way simply redoes it.
        for await (const batch of this.rawBatches(store)) {
          const opened = await Promise.all(batch.map((s) => openRecord(this.crypto, key, store, s)));
          const good = opened.flatMap((o) => (o.ok ? [o.record] : []));
          const sealed = await this.sealAll(keys, store, spec, good);
          const tx = db.transaction(store, 'readwrite');
          await this.settle(
            tx,
            sealed.map((s) => tx.store.put(s)),
          );
          for (const [i, o] of opened.entries()) {
            if (!o.ok) {
              const stored = batch[i] as Record<string, unknown>;
              await this.quarantine(store, stored[spec.keyPath] as IDBValidKey, stored, o.reason);
            }
          }
        }
      }
      await db.put(META_STORE, { id: DATA_VERSION_ID, version: migration.version });
    }
    if (from < this.schema.version && pending.length === 0) {
      await db.put(META_STORE, { id: DATA_VERSION_ID, version: this.schema.version });
    }
  }

  /** Waits for every request and the commit; any failure aborts the whole IDB transaction. */
  private async settle(
    tx: { done: Promise<void>; abort(): void },
    requests: Promise<unknown>[],
  ): Promise<void> {
    try {
      await Promise.all([...requests, tx.done]);
    } catch (cause) {
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

  private throwIfAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) {
      throw new VaultError(
        'transaction_aborted',
        'The transaction was cancelled before it committed; nothing was changed.',
        {
          cause: signal.reason,
        },
      );
    }
  }
}
