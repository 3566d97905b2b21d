/** What the lab page's parts share: a vault on the real session store, raw IndexedDB, test data. */
import type { SqlJsStatic } from 'sql.js';
import { sessionValue } from '@/src/platform';
import { loadSqlJs, openVault, type SessionKeysRecord, type Vault, type VaultOptions } from '@/src/vault';

export const FAST_KDF = { iterations: 1_000, allowWeakIterationsForTests: true } as const;
export const HOUR = 3_600_000;

/** sql.js fetches its wasm from the extension's root (wxt.config.ts copies it there). */
const locateFile = (file: string): string => (browser.runtime.getURL as (path: string) => string)(`/${file}`);
let sqlJs: Promise<SqlJsStatic> | undefined;
export const sql = (): Promise<SqlJsStatic> => (sqlJs ??= loadSqlJs(locateFile));

export function labVault(name: string, more: Partial<VaultOptions> = {}): Promise<Vault> {
  return openVault({
    name,
    kdf: FAST_KDF,
    idleTimeoutMs: Infinity,
    // The extension's real session store: memory only, survives a page reload, not a browser restart.
    sessionKeys: sessionValue<SessionKeysRecord>(`lab.${name}.keys`),
    ...more,
  });
}

export async function rawDb(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error(`cannot open ${name}`));
  });
}

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

export const labEvent = (i: number, filler = '') => ({
  id: `ev-${String(i).padStart(6, '0')}`,
  calendarId: 'cal-lab',
  start: Date.UTC(2025, 0, 6) + i * HOUR,
  end: Date.UTC(2025, 0, 6) + i * HOUR + HOUR / 2,
  updated: i,
  title: `Lab event ${i}`,
  description: filler,
});

/** WebCrypto that tells when each encryption and decryption starts and ends (for timing phases). */
export function observedCrypto(hooks: {
  encrypted?: () => void;
  decrypting?: () => void;
  decrypted?: () => void;
}): NonNullable<VaultOptions['crypto']> {
  return {
    getRandomValues: (a) => crypto.getRandomValues(a),
    subtle: new Proxy(crypto.subtle, {
      get(target, prop) {
        if (prop === 'encrypt') {
          return async (...args: Parameters<SubtleCrypto['encrypt']>) => {
            const out = await target.encrypt(...args);
            hooks.encrypted?.();
            return out;
          };
        }
        if (prop === 'decrypt') {
          return async (...args: Parameters<SubtleCrypto['decrypt']>) => {
            hooks.decrypting?.();
            const out = await target.decrypt(...args);
            hooks.decrypted?.();
            return out;
          };
        }
        return (Reflect.get(target, prop) as (...a: unknown[]) => unknown).bind(target);
      },
    }),
  };
}
