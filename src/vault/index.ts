export { openVault, Vault, DEFAULT_VAULT_NAME, DEFAULT_IDLE_TIMEOUT_MS, type VaultOptions } from './vault';
export { VaultError, isVaultError, type VaultErrorCode } from './errors';
export { Mutex } from './mutex';
export {
  VAULT_SCHEMA,
  CATEGORIES,
  clearFieldsOf,
  type Category,
  type StoreSpec,
  type IndexSpec,
  type VaultSchema,
  type DataMigration,
  type VaultRecordMap,
  type RecordMap,
  type AnyRecord,
} from './schema';
export { MemorySessionKeyStore, type SessionKeyStore, type SessionKeysRecord } from './session-keys';
export { PBKDF2_MIN_ITERATIONS, type KdfPolicy } from './pbkdf2';
export { DEFAULT_THROTTLE, type ThrottlePolicy } from './throttle';
export { exportBackup, importBackup, BACKUP_FORMAT, BACKUP_VERSION, type BackupFile } from './backup';
export {
  openHistory,
  loadSqlJs,
  ConversationHistory,
  type HistoryEntry,
  type HistoryOptions,
  type Scheduler,
  type BlobVault,
} from './history';
export type {
  Clock,
  Query,
  KeyRangeSpec,
  VaultTx,
  VaultEvent,
  IntegrityReport,
  QuarantineEntry,
  PruneReport,
  ImportReport,
} from './types';
