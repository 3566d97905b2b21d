import type { AnyRecord, RecordMap } from './schema';

export interface Clock {
  now(): number;
}

export type KeyRangeSpec =
  | { readonly only: IDBValidKey }
  | {
      readonly lower?: IDBValidKey;
      readonly upper?: IDBValidKey;
      readonly lowerOpen?: boolean;
      readonly upperOpen?: boolean;
    };

export interface Query {
  /** An index name from the registry; omitted means the primary key. */
  readonly index?: string;
  readonly range?: KeyRangeSpec;
  readonly limit?: number;
  readonly direction?: 'next' | 'prev';
}

export type VaultEvent =
  | { readonly type: 'unlocked' }
  | { readonly type: 'locked'; readonly reason: 'user' | 'idle' }
  | { readonly type: 'reset' }
  | {
      readonly type: 'quarantined';
      readonly store: string;
      readonly key: IDBValidKey;
      readonly reason: string;
    };

export interface QuarantineEntry {
  readonly id: string;
  readonly store: string;
  readonly key: IDBValidKey;
  readonly reason: string;
  readonly at: number;
}

export interface IntegrityReport {
  readonly checked: number;
  readonly quarantined: readonly Omit<QuarantineEntry, 'id' | 'at'>[];
}

export interface PruneReport {
  readonly deleted: Readonly<Record<string, number>>;
}

/**
 * Work inside `vault.transaction`. Writes are staged and committed together in one
 * IndexedDB transaction after `fn` returns; `get` sees staged writes, `query` reads
 * committed data only.
 */
export interface VaultTx<M extends RecordMap> {
  get<S extends keyof M & string>(store: S, key: IDBValidKey): Promise<M[S] | undefined>;
  query<S extends keyof M & string>(store: S, query?: Query): Promise<M[S][]>;
  put<S extends keyof M & string>(store: S, record: M[S]): void;
  delete<S extends keyof M & string>(store: S, key: IDBValidKey): void;
}

export interface ImportReport {
  readonly mode: 'merge' | 'replace';
  readonly written: number;
  readonly skipped: number;
}

export type { AnyRecord };
