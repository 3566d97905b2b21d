/**
 * Where unlocked data keys survive a service-worker restart. The extension backs it
 * with `chrome.storage.session` (memory only, trusted contexts only, gone when the
 * browser closes, which is what "closing the browser locks" relies on).
 */
export interface SessionKeysRecord {
  readonly vaultId: string;
  /** Raw data keys by category, base64. */
  readonly keys: Readonly<Record<string, string>>;
  readonly lastActivityAt: number;
}

export interface SessionKeyStore {
  load(): Promise<SessionKeysRecord | undefined>;
  save(record: SessionKeysRecord): Promise<void>;
  clear(): Promise<void>;
}

/** For Node and tests; share one instance between two vaults to simulate a worker restart. */
export class MemorySessionKeyStore implements SessionKeyStore {
  private record: SessionKeysRecord | undefined;

  load(): Promise<SessionKeysRecord | undefined> {
    return Promise.resolve(this.record);
  }

  save(record: SessionKeysRecord): Promise<void> {
    this.record = record;
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.record = undefined;
    return Promise.resolve();
  }
}
