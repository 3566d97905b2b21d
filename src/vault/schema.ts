/**
 * The one registry of stores. Each store names its primary key and indexes; those
 * fields (and only those) are stored in clear, because IndexedDB must read them to
 * index. Everything else in a record is encrypted under the store's category key.
 * docs/protocol/vault.md lists what this means on disk; a test keeps the two in step.
 */

export const CATEGORIES = [
  'profile',
  'agent',
  'contacts',
  'sessions',
  'messages',
  'calendar',
  'sync',
  'approvals',
  'outbox',
  'audit',
  'history',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface IndexSpec {
  readonly keyPath: string | readonly string[];
  readonly unique?: boolean;
}

export interface StoreSpec {
  /** Primary key field; its value is visible on disk, so callers use opaque ids. */
  readonly keyPath: string;
  readonly category: Category;
  readonly indexes: Readonly<Record<string, IndexSpec>>;
  /** Index holding epoch-ms times that `prune` may delete below. */
  readonly pruneBy?: string;
}

/**
 * Work that needs the keys, so it cannot run inside IndexedDB's upgrade transaction:
 * stores listed in `resplit` had their clear-field set changed by this version and
 * every record is decrypted and rewritten after the next unlock.
 */
export interface DataMigration {
  readonly version: number;
  readonly resplit: readonly string[];
}

export interface VaultSchema {
  readonly version: number;
  readonly stores: Readonly<Record<string, StoreSpec>>;
  readonly migrations: readonly DataMigration[];
}

/** Stores the vault keeps for itself; their names are reserved. */
export const META_STORE = 'meta';
export const QUARANTINE_STORE = 'quarantine';
export const BLOB_STORE = 'blobs';
export const INTERNAL_STORES = [META_STORE, QUARANTINE_STORE, BLOB_STORE] as const;

/** Field names of the stored envelope; a record may not use them as clear fields. */
export const ENVELOPE_FIELDS = ['ciphertext', 'iv', 'v'] as const;

const byId = (category: Category, indexes: Record<string, IndexSpec> = {}, pruneBy?: string): StoreSpec =>
  pruneBy === undefined
    ? { keyPath: 'id', category, indexes }
    : { keyPath: 'id', category, indexes, pruneBy };

export const VAULT_SCHEMA: VaultSchema = {
  version: 3,
  stores: {
    profile: byId('profile'),
    preferences: byId('profile'),
    agentConfig: byId('agent'),
    contacts: byId('contacts'),
    sessions: byId('sessions'),
    conversations: byId('messages', { updated: { keyPath: 'updated' } }),
    messages: byId(
      'messages',
      { at: { keyPath: 'at' }, conversationAt: { keyPath: ['conversationId', 'at'] } },
      'at',
    ),
    events: byId('calendar', {
      calendarId: { keyPath: 'calendarId' },
      calendarStart: { keyPath: ['calendarId', 'start'] },
      start: { keyPath: 'start' },
      end: { keyPath: 'end' },
      updated: { keyPath: 'updated' },
    }),
    // [DPG1] The calendar cache's events, one sealed page per (calendar key, UTC start day), keyed by
    // both (the key sorts by day, so a range of days is a key range: no index); the per-event rows
    // above are the format before it, moved into pages per calendar on first use.
    eventPages: byId('calendar'),
    syncState: byId('sync'),
    approvals: byId('approvals', { status: { keyPath: 'status' }, createdAt: { keyPath: 'createdAt' } }),
    outbox: byId('outbox', { createdAt: { keyPath: 'createdAt' } }),
    // One record per negotiation: the state machine's JSON, its pending approvals and outcome.
    negotiations: byId('approvals', { updated: { keyPath: 'updated' } }),
    // Invite secrets are keyed by their hash: the secret itself is never in clear.
    invites: byId('contacts'),
    // Inbound envelope ids already handled (the relay may deliver twice).
    seen: byId('messages', { at: { keyPath: 'at' } }, 'at'),
    audit: byId('audit', { at: { keyPath: 'at' } }, 'at'),
    // The conversation with the agent (docs/protocol/chat.md): one record per turn.
    chat: byId('history', { at: { keyPath: 'at' } }, 'at'),
  },
  // Version 3 adds `eventPages` (created by the upgrade); moving `events` rows into pages needs the
  // calendar ids inside them, so src/calendar/vault-cache.ts does it per calendar on first use (DPG6).
  migrations: [{ version: 3, resplit: [] }],
};

type Fields = { readonly [field: string]: unknown };

/** Record types of the production schema: clear fields typed, the encrypted rest free-form. */
export type VaultRecordMap = {
  profile: { id: string } & Fields;
  preferences: { id: string } & Fields;
  agentConfig: { id: string } & Fields;
  contacts: { id: string } & Fields;
  sessions: { id: string } & Fields;
  conversations: { id: string; updated: number } & Fields;
  messages: { id: string; conversationId: string; at: number } & Fields;
  events: { id: string; calendarId: string; start: number; end: number; updated: number } & Fields;
  eventPages: { id: string } & Fields;
  syncState: { id: string } & Fields;
  approvals: { id: string; status: string; createdAt: number } & Fields;
  outbox: { id: string; createdAt: number } & Fields;
  invites: { id: string } & Fields;
  negotiations: { id: string; updated: number } & Fields;
  seen: { id: string; at: number } & Fields;
  audit: { id: string; at: number } & Fields;
  chat: { id: string; at: number } & Fields;
};

export type AnyRecord = Record<string, unknown>;
export type RecordMap = Record<string, AnyRecord>;

/** The fields of a store that are written in clear: the primary key and every indexed field. */
export function clearFieldsOf(spec: StoreSpec): readonly string[] {
  const fields = new Set<string>([spec.keyPath]);
  for (const index of Object.values(spec.indexes)) {
    for (const path of typeof index.keyPath === 'string' ? [index.keyPath] : index.keyPath) fields.add(path);
  }
  return [...fields].sort();
}

/** Throws on a registry that would break the record format; run at open and in tests. */
export function assertValidSchema(schema: VaultSchema): void {
  if (!Number.isInteger(schema.version) || schema.version < 1) throw new Error('schema version must be ≥ 1');
  for (const [name, spec] of Object.entries(schema.stores)) {
    if ((INTERNAL_STORES as readonly string[]).includes(name))
      throw new Error(`store name ${name} is reserved`);
    for (const field of clearFieldsOf(spec)) {
      if (field.includes('.')) throw new Error(`${name}.${field}: nested key paths are not supported`);
      if ((ENVELOPE_FIELDS as readonly string[]).includes(field)) {
        throw new Error(`${name}.${field}: clashes with the stored envelope`);
      }
    }
    if (spec.pruneBy !== undefined && !(spec.pruneBy in spec.indexes)) {
      throw new Error(`${name}: pruneBy names no index`);
    }
  }
  for (const m of schema.migrations) {
    if (m.version > schema.version) throw new Error(`migration ${m.version} is newer than the schema`);
    for (const s of m.resplit)
      if (!(s in schema.stores)) throw new Error(`migration ${m.version}: no store ${s}`);
  }
}
