import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import { createLogger, errorFields } from '../log';
import { VaultError } from './errors';
import { Mutex } from './mutex';
import type { VaultEvent } from './types';

const log = createLogger('vault').child('history');

/**
 * Searchable conversation history: SQLite (sql.js) in memory, persisted as one
 * encrypted blob in the vault. The npm build of sql.js 1.16 has FTS3/FTS4 but not
 * FTS5 (`no such module: fts5`), so search uses an external-content FTS4 table with
 * the unicode61 tokenizer (diacritics folded) and prefix matching.
 *
 * Writes are in-memory and synchronous; persisting (export → encrypt → IndexedDB)
 * runs later on the injected scheduler, debounced and batched, never on the caller's
 * path. A worker killed before the timer fires loses at most the last `maxWaitMs` of
 * entries from the index; `latestAt()` tells the caller where to re-add from (adds
 * are idempotent by id), since the messages store remains the source of truth.
 */

export interface HistoryEntry {
  readonly id: string;
  readonly conversationId: string;
  readonly at: number;
  readonly author: string;
  readonly text: string;
}

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What history needs from the vault (a Vault of any record map satisfies it). */
export interface BlobVault {
  putBlob(id: string, data: Uint8Array<ArrayBuffer>): Promise<void>;
  getBlob(id: string): Promise<Uint8Array<ArrayBuffer> | undefined>;
  subscribe(listener: (event: VaultEvent) => void): () => void;
}

export interface HistoryOptions {
  /** A ready sql.js module, or how to load one; in the extension pass `locateFile`. */
  readonly sqlJs?: SqlJsStatic;
  readonly locateFile?: (file: string) => string;
  readonly scheduler?: Scheduler;
  readonly now?: () => number;
  readonly debounceMs?: number;
  readonly maxWaitMs?: number;
  readonly blobId?: string;
  /** Called with the failure when a background persist fails (no user data in it). */
  readonly onPersistError?: (error: unknown) => void;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS entries (
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  author TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_conversation_at ON entries(conversation_id, at);
CREATE INDEX IF NOT EXISTS entries_at ON entries(at);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts4(content="entries", text, tokenize=unicode61 "remove_diacritics=2");
CREATE TRIGGER IF NOT EXISTS entries_ai AFTER INSERT ON entries BEGIN
  INSERT INTO entries_fts(docid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER IF NOT EXISTS entries_bd BEFORE DELETE ON entries BEGIN
  DELETE FROM entries_fts WHERE docid = old.rowid;
END;
`;

const defaultScheduler: Scheduler = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

let sharedSqlJs: Promise<SqlJsStatic> | undefined;

export function loadSqlJs(locateFile?: (file: string) => string): Promise<SqlJsStatic> {
  if (locateFile) return initSqlJs({ locateFile });
  sharedSqlJs ??= initSqlJs();
  return sharedSqlJs;
}

export async function openHistory(
  vault: BlobVault,
  options: HistoryOptions = {},
): Promise<ConversationHistory> {
  const SQL = options.sqlJs ?? (await loadSqlJs(options.locateFile));
  const blobId = options.blobId ?? 'history';
  const saved = await vault.getBlob(blobId);
  const db = saved ? new SQL.Database(saved) : new SQL.Database();
  db.run(SCHEMA_SQL);
  return new ConversationHistory(vault, db, blobId, options);
}

/** Turns free text into an FTS4 query of prefix terms, so user input is never FTS syntax. */
export function toMatchQuery(text: string): string | undefined {
  const terms = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu);
  return terms ? terms.map((t) => `${t}*`).join(' ') : undefined;
}

export class ConversationHistory {
  private readonly scheduler: Scheduler;
  private readonly now: () => number;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly persists = new Mutex();
  private readonly unsubscribe: () => void;
  private db: Database | undefined;
  private timer: unknown;
  private firstDirtyAt: number | undefined;
  private changes = 0;
  private persisted = 0;

  constructor(
    private readonly vault: BlobVault,
    db: Database,
    private readonly blobId: string,
    private readonly options: HistoryOptions,
  ) {
    this.db = db;
    this.scheduler = options.scheduler ?? defaultScheduler;
    this.now = options.now ?? (() => Date.now());
    this.debounceMs = options.debounceMs ?? 2_000;
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    // Plaintext history must not outlive the keys: locking or wiping the vault drops it.
    this.unsubscribe = vault.subscribe((e) => {
      if (e.type === 'locked' || e.type === 'reset') this.discard();
    });
  }

  /** Number of changes not yet persisted. */
  get pendingChanges(): number {
    return this.changes - this.persisted;
  }

  /** Adds entries (ignoring ids already present) and schedules a background persist. */
  add(entries: readonly HistoryEntry[]): number {
    const db = this.open();
    const stmt = db.prepare(
      'INSERT OR IGNORE INTO entries (id, conversation_id, at, author, text) VALUES (?, ?, ?, ?, ?)',
    );
    let added = 0;
    try {
      db.run('BEGIN');
      for (const e of entries) {
        stmt.run([e.id, e.conversationId, e.at, e.author, e.text]);
        added += db.getRowsModified();
      }
      db.run('COMMIT');
    } catch (e) {
      // Undo the half-applied batch; the caller gets the error.
      db.run('ROLLBACK');
      throw e;
    } finally {
      stmt.free();
    }
    if (added > 0) this.markDirty(added);
    return added;
  }

  search(text: string, options: { conversationId?: string; limit?: number } = {}): HistoryEntry[] {
    const match = toMatchQuery(text);
    if (!match) return [];
    const where = options.conversationId === undefined ? '' : 'AND e.conversation_id = ?';
    const params = options.conversationId === undefined ? [match] : [match, options.conversationId];
    return this.select(
      `SELECT e.id, e.conversation_id, e.at, e.author, e.text FROM entries_fts f
       JOIN entries e ON e.rowid = f.docid
       WHERE entries_fts MATCH ? ${where} ORDER BY e.at DESC LIMIT ?`,
      [...params, options.limit ?? 50],
    );
  }

  /** Newest first, optionally before a time (for paging back). */
  conversation(conversationId: string, options: { before?: number; limit?: number } = {}): HistoryEntry[] {
    return this.select(
      `SELECT id, conversation_id, at, author, text FROM entries
       WHERE conversation_id = ? AND at < ? ORDER BY at DESC LIMIT ?`,
      [conversationId, options.before ?? Number.MAX_SAFE_INTEGER, options.limit ?? 50],
    );
  }

  /** The newest entry's time, for re-adding what a killed worker did not persist. */
  latestAt(): number | undefined {
    const row = this.open().exec('SELECT max(at) FROM entries')[0]?.values[0]?.[0];
    return typeof row === 'number' ? row : undefined;
  }

  count(): number {
    const row = this.open().exec('SELECT count(*) FROM entries')[0]?.values[0]?.[0];
    return typeof row === 'number' ? row : 0;
  }

  /** Size of the database file in bytes (what a persist writes, before encryption). */
  sizeBytes(): number {
    const db = this.open();
    const pages = db.exec('PRAGMA page_count')[0]?.values[0]?.[0];
    const size = db.exec('PRAGMA page_size')[0]?.values[0]?.[0];
    return Number(pages) * Number(size);
  }

  /** Deletes entries older than `olderThanMs`; returns how many. */
  prune(olderThanMs: number): number {
    const db = this.open();
    db.run('DELETE FROM entries WHERE at < ?', [this.now() - olderThanMs]);
    const removed = db.getRowsModified();
    if (removed > 0) this.markDirty(removed);
    return removed;
  }

  /** Deletes every entry of one conversation (its index rows go with them); returns how many. */
  removeConversation(conversationId: string): number {
    const db = this.open();
    db.run('DELETE FROM entries WHERE conversation_id = ?', [conversationId]);
    const removed = db.getRowsModified();
    if (removed > 0) this.markDirty(removed);
    return removed;
  }

  /** Persists now if anything changed (call before the worker may be suspended). */
  async flush(): Promise<void> {
    this.cancelTimer();
    await this.persists.run(async () => {
      if (!this.db || this.changes === this.persisted) return;
      const target = this.changes;
      // export() is synchronous and closes/reopens the handle (it frees prepared
      // statements, which is why none are kept between calls).
      const bytes = this.db.export();
      this.firstDirtyAt = undefined;
      await this.vault.putBlob(this.blobId, bytes as Uint8Array<ArrayBuffer>);
      this.persisted = Math.max(this.persisted, target);
    });
  }

  async close(): Promise<void> {
    await this.flush();
    this.discard();
  }

  private discard(): void {
    this.cancelTimer();
    this.unsubscribe();
    this.db?.close();
    this.db = undefined;
  }

  private open(): Database {
    if (!this.db)
      throw new VaultError(
        'locked',
        'History is closed (the vault was locked); open it again after unlocking.',
      );
    return this.db;
  }

  private select(sql: string, params: (string | number)[]): HistoryEntry[] {
    const stmt = this.open().prepare(sql);
    const out: HistoryEntry[] = [];
    try {
      stmt.bind(params);
      while (stmt.step()) {
        const [id, conversationId, at, author, text] = stmt.get();
        out.push({
          id: String(id),
          conversationId: String(conversationId),
          at: Number(at),
          author: String(author),
          text: String(text),
        });
      }
    } finally {
      stmt.free();
    }
    return out;
  }

  private markDirty(n: number): void {
    this.changes += n;
    const now = this.now();
    this.firstDirtyAt ??= now;
    // Debounce, but never push the write past maxWaitMs after the first unsaved change.
    const delay = Math.max(0, Math.min(this.debounceMs, this.firstDirtyAt + this.maxWaitMs - now));
    this.cancelTimer();
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => {
        log.warn('persist_failed', errorFields(error));
        this.options.onPersistError?.(error);
      });
    }, delay);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      this.scheduler.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
