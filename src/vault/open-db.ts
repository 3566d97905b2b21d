import { wrap, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { VaultError } from './errors';
import { BLOB_STORE, META_STORE, QUARANTINE_STORE, type VaultSchema } from './schema';

export type Db = IDBPDatabase<unknown>;

/**
 * idb's openDB always uses the global `indexedDB`; this is the same logic with the
 * factory injected (Node tests pass a fresh fake-indexeddb factory per test). idb
 * still recognises requests by the global IDB* classes, so in Node those globals must
 * be fake-indexeddb's too (`import 'fake-indexeddb/auto'`).
 */
export async function openVaultDb(factory: IDBFactory, name: string, schema: VaultSchema): Promise<Db> {
  const request = factory.open(name, schema.version);
  request.addEventListener('upgradeneeded', () => {
    const tx = request.transaction;
    if (tx)
      upgrade(
        wrap(request.result) as Db,
        wrap(tx) as unknown as IDBPTransaction<unknown, string[], 'versionchange'>,
        schema,
      );
  });
  let db: Db;
  try {
    db = (await wrap(request)) as Db;
  } catch (cause) {
    // A newer schema on disk gets a typed error that says what to do; anything else goes up as it is.
    if (cause instanceof DOMException && cause.name === 'VersionError') {
      throw new VaultError(
        'schema_too_new',
        'The vault on this device was written by a newer version of Parley; update the extension.',
        { cause },
      );
    }
    throw cause;
  }
  // Another context asking for a newer version: step aside rather than block its upgrade.
  db.addEventListener('versionchange', () => db.close());
  return db;
}

/**
 * Structure is derived from the registry, not written per version: create what is
 * missing, drop indexes no longer declared. Stores are never dropped here (that would
 * delete data); removing a store needs an explicit migration.
 */
function upgrade(db: Db, tx: IDBPTransaction<unknown, string[], 'versionchange'>, schema: VaultSchema): void {
  const wanted: Record<string, { keyPath: string; indexes: VaultSchema['stores'][string]['indexes'] }> = {
    [META_STORE]: { keyPath: 'id', indexes: {} },
    [QUARANTINE_STORE]: { keyPath: 'id', indexes: {} },
    [BLOB_STORE]: { keyPath: 'id', indexes: {} },
    ...schema.stores,
  };
  for (const [name, spec] of Object.entries(wanted)) {
    const store = db.objectStoreNames.contains(name)
      ? tx.objectStore(name)
      : db.createObjectStore(name, { keyPath: spec.keyPath });
    for (const existing of [...store.indexNames]) {
      const want = spec.indexes[existing];
      const have = store.index(existing);
      if (
        !want ||
        JSON.stringify(want.keyPath) !== JSON.stringify(have.keyPath) ||
        !!want.unique !== have.unique
      ) {
        store.deleteIndex(existing);
      }
    }
    for (const [indexName, index] of Object.entries(spec.indexes)) {
      if (!store.indexNames.contains(indexName)) {
        const keyPath = typeof index.keyPath === 'string' ? index.keyPath : [...index.keyPath];
        store.createIndex(indexName, keyPath, { unique: index.unique ?? false });
      }
    }
  }
}
