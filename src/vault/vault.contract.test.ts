import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { loadSqlJs } from './history';
import { registerVaultContractTests } from './vault.contract';

// A fresh factory per test: no state leaks between tests, as with a fresh browser profile.
registerVaultContractTests(() => ({
  indexedDB: new IDBFactory(),
  IDBKeyRange,
  sqlJs: () => loadSqlJs(),
}));
