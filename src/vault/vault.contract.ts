/**
 * The vault contract: one suite, run against every IndexedDB + WebCrypto underneath.
 * Node runs it with fake-indexeddb (vault.contract.test.ts); the extension harness
 * runs the same function inside a real Chromium service worker.
 */
import fc from 'fast-check';
import { wrap, type IDBPDatabase } from 'idb';
import type { SqlJsStatic } from 'sql.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { CryptoDeps } from './aes-gcm';
import { exportBackup, importBackup } from './backup';
import { isVaultError, type VaultErrorCode } from './errors';
import { openHistory, type Scheduler } from './history';
import { MemorySessionKeyStore } from './session-keys';
import {
  VAULT_SCHEMA,
  type AnyRecord,
  type RecordMap,
  type VaultRecordMap,
  type VaultSchema,
} from './schema';
import { openVault, type Vault, type VaultOptions } from './vault';

export interface VaultTestEnv {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
  readonly crypto?: CryptoDeps;
  /** How to get sql.js here (in the extension: with locateFile). */
  readonly sqlJs: () => Promise<SqlJsStatic>;
}

const PASS = 'correct horse battery staple';
const FAST_KDF = { iterations: 1_000, allowWeakIterationsForTests: true } as const;

export class FakeClock {
  constructor(public t = 1_700_000_000_000) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Runs scheduled callbacks only when the test says so. */
export class ManualScheduler implements Scheduler {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  runAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.fn();
  }
}

async function expectCode(p: Promise<unknown>, code: VaultErrorCode): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if (isVaultError(e, code)) return e;
    throw new Error(`expected VaultError ${code}, got ${String(e)}`, { cause: e });
  }
  throw new Error(`expected VaultError ${code}, but it succeeded`);
}

const event = (i: number, extra: AnyRecord = {}): VaultRecordMap['events'] => ({
  id: `ev-${String(i).padStart(5, '0')}`,
  calendarId: `cal-${i % 3}`,
  start: 1_700_000_000_000 + i * 3_600_000,
  end: 1_700_000_000_000 + i * 3_600_000 + 1_800_000,
  updated: 1_690_000_000_000 + i,
  title: `Secret meeting ${i} with Dana`,
  description: 'Quarterly numbers, confidential',
  attendees: ['dana@example.com'],
  ...extra,
});

function containsText(haystack: Uint8Array, needle: string): boolean {
  const n = new TextEncoder().encode(needle);
  outer: for (let i = 0; i + n.length <= haystack.length; i++) {
    for (let j = 0; j < n.length; j++) if (haystack[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}

export function registerVaultContractTests(makeEnv: () => Promise<VaultTestEnv> | VaultTestEnv): void {
  let counter = 0;
  const opened: Vault<RecordMap>[] = [];

  afterEach(() => {
    for (const v of opened.splice(0)) v.close();
  });

  async function setup(overrides: Partial<VaultOptions> & { name?: string } = {}) {
    const env = await makeEnv();
    const clock = new FakeClock();
    const sessionKeys = new MemorySessionKeyStore();
    const name = overrides.name ?? `vault-contract-${Date.now()}-${counter++}`;
    const base: VaultOptions = {
      indexedDB: env.indexedDB,
      IDBKeyRange: env.IDBKeyRange,
      name,
      clock,
      sessionKeys,
      kdf: FAST_KDF,
      ...(env.crypto ? { crypto: env.crypto } : {}),
      ...overrides,
    };
    const make = async (more: Partial<VaultOptions> = {}): Promise<Vault<RecordMap>> => {
      const v = await openVault<RecordMap>({ ...base, ...more });
      opened.push(v);
      return v;
    };
    const raw = async () => {
      const req = env.indexedDB.open(name);
      return (await wrap(req)) as IDBPDatabase;
    };
    return { env, clock, sessionKeys, name, make, raw };
  }

  describe('vault contract: records at rest', () => {
    it('[VLT1] stores only the key and indexed fields in clear; the rest is ciphertext', async () => {
      const { make, raw } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.put('events', event(1));
      const db = await raw();
      const stored = (await db.get('events', 'ev-00001')) as Record<string, unknown>;
      db.close();
      expect(Object.keys(stored).sort()).toEqual([
        'calendarId',
        'ciphertext',
        'end',
        'id',
        'iv',
        'start',
        'updated',
        'v',
      ]);
      const ct = new Uint8Array(stored.ciphertext as ArrayBuffer);
      expect(containsText(ct, 'Secret meeting')).toBe(false);
      expect(containsText(ct, 'dana@example.com')).toBe(false);
      expect(await vault.get('events', 'ev-00001')).toEqual(event(1));
    });

    it('[VLT2] uses a fresh random 96-bit IV for every write', async () => {
      const { make, raw } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      const db = await raw();
      const ivs = new Set<string>();
      for (let i = 0; i < 5; i++) {
        await vault.put('events', event(1));
        const s = (await db.get('events', 'ev-00001')) as { iv: Uint8Array };
        expect(s.iv.length).toBe(12);
        ivs.add(Array.from(s.iv).join(','));
      }
      db.close();
      expect(ivs.size).toBe(5);
    });

    it('[VLT3] binds store, primary key and clear fields: swapped or edited records fail', async () => {
      const { make, raw } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.putMany('events', [event(1), event(2), event(3)]);
      await vault.put('conversations', { id: 'ev-00004', updated: 5, title: 'x' });
      const db = await raw();
      const a = (await db.get('events', 'ev-00001')) as AnyRecord;
      const b = (await db.get('events', 'ev-00002')) as AnyRecord;
      // Same store, other key: b's ciphertext under a's key.
      await db.put('events', { ...a, ciphertext: b.ciphertext, iv: b.iv });
      // Clear index field edited on disk.
      const c = (await db.get('events', 'ev-00003')) as AnyRecord;
      await db.put('events', { ...c, start: 0 });
      // Another store's record moved into events under its own key.
      const conv = (await db.get('conversations', 'ev-00004')) as AnyRecord;
      await db.put('events', { ...a, id: 'ev-00004', ciphertext: conv.ciphertext, iv: conv.iv });
      db.close();
      await expectCode(vault.get('events', 'ev-00001'), 'corrupt_record');
      await expectCode(vault.get('events', 'ev-00003'), 'corrupt_record');
      await expectCode(vault.get('events', 'ev-00004'), 'corrupt_record');
      expect(await vault.get('events', 'ev-00002')).toEqual(event(2));
    });

    it('[VLT4] round-trips any JSON-and-bytes record through put/get (property)', async () => {
      const { make } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      const body = fc.dictionary(
        fc
          .string({ minLength: 1, maxLength: 8 })
          .filter((k) => !['id', 'ciphertext', 'iv', 'v', '__proto__'].includes(k)),
        fc.oneof(
          fc.string(),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.uint8Array({ maxLength: 40 }),
        ),
        { maxKeys: 6 },
      );
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20 }), body, async (id, rest) => {
          const record = { ...rest, id };
          await vault.put('sessions', record);
          expect(await vault.get('sessions', id)).toEqual(record);
        }),
        { numRuns: 60, seed: 5 },
      );
    });

    it('[VLT5] queries by index and key range, with limit and direction, decrypting inside', async () => {
      const { make } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.putMany(
        'events',
        Array.from({ length: 50 }, (_, i) => event(i)),
      );
      const lower = event(10).start;
      const upper = event(20).start;
      const week = await vault.query('events', { index: 'start', range: { lower, upper, upperOpen: true } });
      expect(week.map((e) => e.id)).toEqual(Array.from({ length: 10 }, (_, i) => event(10 + i).id));
      expect(week[0]).toEqual(event(10));
      const latest = await vault.query('events', { index: 'start', direction: 'prev', limit: 3 });
      expect(latest.map((e) => e.id)).toEqual([event(49).id, event(48).id, event(47).id]);
      const cal = await vault.query('events', { index: 'calendarId', range: { only: 'cal-1' } });
      expect(cal).toHaveLength(17);
      // Without a limit, 'prev' is the exact reverse, duplicates of the index key included.
      const calPrev = await vault.query('events', {
        index: 'calendarId',
        range: { only: 'cal-1' },
        direction: 'prev',
      });
      expect(calPrev.map((e) => e.id)).toEqual(cal.map((e) => e.id).reverse());
      expect(await vault.count('events', { index: 'calendarId', range: { only: 'cal-1' } })).toBe(17);
      await vault.delete('events', event(10).id);
      expect(await vault.get('events', event(10).id)).toBeUndefined();
      await expectCode(vault.query('events', { index: 'title' }), 'unknown_store');
      await expectCode(vault.get('nope', 'x'), 'unknown_store');
    });

    it('[VLT6] refuses values in clear fields that are not key types', async () => {
      const { make } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await expectCode(vault.put('events', { ...event(1), start: { at: 1 } }), 'invalid_record');
      await expectCode(vault.put('events', { ...event(1), id: undefined } as never), 'invalid_record');
      expect(await vault.count('events')).toBe(0);
    });

    it('[VLT7] refuses every operation while locked', async () => {
      const { make } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.put('profile', { id: 'me', name: 'Ada' });
      await vault.lock();
      expect(vault.isUnlocked).toBe(false);
      await expectCode(vault.get('profile', 'me'), 'locked');
      await expectCode(vault.put('profile', { id: 'me' }), 'locked');
      await expectCode(vault.query('profile'), 'locked');
      await vault.unlock(PASS);
      expect(await vault.get('profile', 'me')).toEqual({ id: 'me', name: 'Ada' });
    });
  });

  describe('vault contract: transactions', () => {
    it('[TXN1] commits writes to several stores together and reads its own staged writes', async () => {
      const { make } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.put('approvals', { id: 'a1', status: 'pending', createdAt: 1, action: 'book' });
      const seen = await vault.transaction(['approvals', 'audit', 'outbox'], async (tx) => {
        const a = await tx.get('approvals', 'a1');
        tx.put('approvals', { ...a!, status: 'approved' });
        tx.put('audit', { id: 'log1', at: 2, what: 'approved a1' });
        tx.put('outbox', { id: 'o1', createdAt: 2, envelope: new Uint8Array([1, 2, 3]) });
        return (await tx.get('approvals', 'a1'))?.status;
      });
      expect(seen).toBe('approved');
      expect((await vault.get('approvals', 'a1'))?.status).toBe('approved');
      expect(await vault.get('audit', 'log1')).toEqual({ id: 'log1', at: 2, what: 'approved a1' });
      expect(await vault.get('outbox', 'o1')).toEqual({
        id: 'o1',
        createdAt: 2,
        envelope: new Uint8Array([1, 2, 3]),
      });
    });

    it('[TXN2] an error thrown mid-way writes nothing', async () => {
      const { make } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.put('approvals', { id: 'a1', status: 'pending', createdAt: 1 });
      await expect(
        vault.transaction(['approvals', 'audit'], (tx) => {
          tx.put('approvals', { id: 'a1', status: 'approved', createdAt: 1 });
          tx.put('audit', { id: 'log1', at: 2 });
          throw new Error('crashed half-way');
        }),
      ).rejects.toThrow('crashed half-way');
      expect((await vault.get('approvals', 'a1'))?.status).toBe('pending');
      expect(await vault.count('audit')).toBe(0);
    });

    it('[TXN3] an IndexedDB failure during commit rolls back every store', async () => {
      // A schema with a unique index lets the database itself refuse the last write.
      const schema: VaultSchema = {
        version: 1,
        stores: {
          ...VAULT_SCHEMA.stores,
          handles: {
            keyPath: 'id',
            category: 'contacts',
            indexes: { handle: { keyPath: 'handle', unique: true } },
          },
        },
        migrations: [],
      };
      const { make } = await setup({ schema });
      const vault = await make();
      await vault.setUp(PASS);
      await vault.put('handles', { id: 'h1', handle: 'dana' });
      await vault.put('audit', { id: 'keep', at: 1 });
      await expectCode(
        vault.transaction(['audit', 'handles'], (tx) => {
          tx.put('audit', { id: 'new', at: 2 });
          tx.delete('audit', 'keep');
          tx.put('handles', { id: 'h2', handle: 'dana' });
        }),
        'transaction_aborted',
      );
      expect(await vault.query('audit')).toEqual([{ id: 'keep', at: 1 }]);
      expect(await vault.count('handles')).toBe(1);
    });

    it('[TXN4] an abort signal (worker going away) before commit writes nothing', async () => {
      const { make } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      const ac = new AbortController();
      await expectCode(
        vault.transaction(
          ['audit', 'outbox'],
          (tx) => {
            tx.put('audit', { id: 'l', at: 1 });
            tx.put('outbox', { id: 'o', createdAt: 1 });
            ac.abort();
          },
          { signal: ac.signal },
        ),
        'transaction_aborted',
      );
      expect(await vault.count('audit')).toBe(0);
      expect(await vault.count('outbox')).toBe(0);
    });
  });

  describe('vault contract: keys, lock and unlock', () => {
    it('[KEY1] defaults to PBKDF2-SHA256 with ≥ 600,000 iterations and refuses fewer outside tests', async () => {
      const { make, raw } = await setup({ kdf: {} });
      const vault = await make();
      await vault.setUp(PASS);
      const db = await raw();
      const ring = (await db.get('meta', 'keyring')) as {
        kdf: { name: string; iterations: number; salt: Uint8Array };
      };
      db.close();
      expect(ring.kdf.name).toBe('PBKDF2-SHA256');
      expect(ring.kdf.iterations).toBeGreaterThanOrEqual(600_000);
      expect(ring.kdf.salt.length).toBe(16);

      const weak = await setup({ kdf: { iterations: 1_000 } });
      await expectCode((await weak.make()).setUp(PASS), 'weak_kdf');
      // A keyring written with a test count is refused by a production-policy vault.
      const t = await setup();
      await (await t.make()).setUp(PASS);
      await expectCode(
        (await t.make({ kdf: {}, sessionKeys: new MemorySessionKeyStore() })).unlock(PASS),
        'weak_kdf',
      );
    }, 30_000);

    it('[KEY2] wraps random per-category data keys; two vaults never share salt or keys', async () => {
      const a = await setup();
      const b = await setup();
      await (await a.make()).setUp(PASS);
      await (await b.make()).setUp(PASS);
      const [da, db] = [await a.raw(), await b.raw()];
      const ra = (await da.get('meta', 'keyring')) as {
        kdf: { salt: Uint8Array };
        keys: Record<string, { check: Uint8Array }>;
      };
      const rb = (await db.get('meta', 'keyring')) as typeof ra;
      da.close();
      db.close();
      expect(Array.from(ra.kdf.salt)).not.toEqual(Array.from(rb.kdf.salt));
      expect(Object.keys(ra.keys).sort()).toEqual([...VAULT_CATEGORIES].sort());
      const checks = new Set(Object.values(ra.keys).map((k) => Array.from(k.check).join()));
      expect(checks.size).toBe(Object.keys(ra.keys).length);
    });

    it('[KEY3] a wrong passphrase fails with wrong_passphrase and loses nothing', async () => {
      const { make } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.put('profile', { id: 'me', token: 'ya29.secret' });
      await vault.lock();
      const err = await expectCode(vault.unlock('wrong'), 'wrong_passphrase');
      expect((err as { retryAfterMs?: number }).retryAfterMs).toBe(0);
      expect(vault.isUnlocked).toBe(false);
      await vault.unlock(PASS);
      expect(await vault.get('profile', 'me')).toEqual({ id: 'me', token: 'ya29.secret' });
    });

    it('[KEY4] repeated wrong passphrases back off exponentially, survive a restart, and reset on success', async () => {
      const { make, clock, sessionKeys } = await setup({
        throttle: { freeAttempts: 1, baseDelayMs: 1_000, maxDelayMs: 8_000 },
      });
      const vault = await make();
      await vault.setUp(PASS);
      await vault.lock();
      const delays: (number | undefined)[] = [];
      for (let i = 0; i < 5; i++) {
        const e = (await expectCode(vault.unlock('nope'), 'wrong_passphrase')) as { retryAfterMs?: number };
        delays.push(e.retryAfterMs);
        if (i < 4) clock.advance(e.retryAfterMs ?? 0);
      }
      expect(delays).toEqual([0, 1_000, 2_000, 4_000, 8_000]);
      // Even the right passphrase waits; a restarted worker sees the same delay.
      const early = (await expectCode(vault.unlock(PASS), 'unlock_throttled')) as { retryAfterMs?: number };
      expect(early.retryAfterMs).toBe(8_000);
      clock.advance(3_000);
      const restarted = await make({ sessionKeys });
      const again = (await expectCode(restarted.unlock(PASS), 'unlock_throttled')) as {
        retryAfterMs?: number;
      };
      expect(again.retryAfterMs).toBe(5_000);
      clock.advance(5_000);
      await restarted.unlock(PASS);
      await restarted.lock();
      const fresh = (await expectCode(restarted.unlock('nope'), 'wrong_passphrase')) as {
        retryAfterMs?: number;
      };
      expect(fresh.retryAfterMs).toBe(0);
    });

    it('[KEY5] changing the passphrase re-wraps the keys and leaves every record untouched', async () => {
      const { make, raw } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.putMany('events', [event(1), event(2)]);
      const db = await raw();
      const before = (await db.get('events', 'ev-00001')) as { ciphertext: ArrayBuffer };
      await expectCode(vault.changePassphrase('wrong', 'new pass'), 'wrong_passphrase');
      await vault.changePassphrase(PASS, 'new pass');
      const after = (await db.get('events', 'ev-00001')) as { ciphertext: ArrayBuffer };
      db.close();
      expect(new Uint8Array(after.ciphertext)).toEqual(new Uint8Array(before.ciphertext));
      await vault.lock();
      await expectCode(vault.unlock(PASS), 'wrong_passphrase');
      await vault.unlock('new pass');
      expect(await vault.get('events', 'ev-00002')).toEqual(event(2));
    });

    it('[KEY6] a restarted worker resumes from the session key store; lock() ends the session', async () => {
      const { make, sessionKeys } = await setup();
      const first = await make();
      await first.setUp(PASS);
      await first.put('agentConfig', { id: 'cfg', model: 'local' });
      first.close();
      const second = await make({ sessionKeys });
      expect(second.isUnlocked).toBe(true);
      expect(await second.get('agentConfig', 'cfg')).toEqual({ id: 'cfg', model: 'local' });
      await second.lock();
      expect(await sessionKeys.load()).toBeUndefined();
      const third = await make({ sessionKeys });
      expect(third.isUnlocked).toBe(false);
    });

    it('[KEY7] locks after the idle timeout, also across a restart', async () => {
      const { make, clock, sessionKeys } = await setup({ idleTimeoutMs: 60_000 });
      const vault = await make();
      await vault.setUp(PASS);
      clock.advance(59_000);
      await vault.put('profile', { id: 'me' });
      clock.advance(59_000);
      expect(await vault.get('profile', 'me')).toEqual({ id: 'me' });
      const events: string[] = [];
      vault.subscribe((e) => events.push(e.type === 'locked' ? `locked:${e.reason}` : e.type));
      clock.advance(61_000);
      await expectCode(vault.get('profile', 'me'), 'locked');
      expect(events).toEqual(['locked:idle']);
      expect(await sessionKeys.load()).toBeUndefined();

      await vault.unlock(PASS);
      vault.close();
      clock.advance(61_000);
      expect((await make({ sessionKeys })).isUnlocked).toBe(false);
    });

    it('[KEY8] set-up happens once; unlock before set-up says so', async () => {
      const { make } = await setup();
      const vault = await make();
      expect(await vault.isSetUp()).toBe(false);
      await expectCode(vault.unlock(PASS), 'not_set_up');
      await vault.setUp(PASS);
      expect(await vault.isSetUp()).toBe(true);
      await expectCode(vault.setUp('other'), 'already_set_up');
    });

    it('[KEY9] ignores session keys that do not match the keyring', async () => {
      const { make, sessionKeys } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      const saved = (await sessionKeys.load())!;
      const forged = Object.fromEntries(Object.keys(saved.keys).map((c) => [c, btoa('x'.repeat(32))]));
      await sessionKeys.save({ ...saved, keys: forged });
      const restarted = await make({ sessionKeys });
      expect(restarted.isUnlocked).toBe(false);
    });
  });

  describe('vault contract: integrity', () => {
    it('[INT1] a corrupt record is quarantined on read; the others keep working', async () => {
      const { make, raw } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.putMany('events', [event(1), event(2), event(3)]);
      const db = await raw();
      const s = (await db.get('events', 'ev-00002')) as { ciphertext: ArrayBuffer };
      const bytes = new Uint8Array(s.ciphertext.slice(0));
      bytes[0]! ^= 1;
      await db.put('events', { ...s, ciphertext: bytes.buffer });
      db.close();
      const seen: string[] = [];
      vault.subscribe((e) => e.type === 'quarantined' && seen.push(`${e.store}/${String(e.key)}`));
      const all = await vault.query('events');
      expect(all.map((e) => e.id)).toEqual(['ev-00001', 'ev-00003']);
      expect(seen).toEqual(['events/ev-00002']);
      expect((await vault.listQuarantine()).map((q) => [q.store, q.key, q.reason])).toEqual([
        ['events', 'ev-00002', 'tag_mismatch'],
      ]);
      expect(await vault.get('events', 'ev-00002')).toBeUndefined();
    });

    it('[INT2] the start-up verification pass quarantines and reports corrupt records', async () => {
      const { make, raw } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.putMany('messages', [
        { id: 'm1', conversationId: 'c', at: 1, text: 'hi' },
        { id: 'm2', conversationId: 'c', at: 2, text: 'there' },
      ]);
      await vault.put('contacts', { id: 'k1', name: 'Dana' });
      const db = await raw();
      const m2 = (await db.get('messages', 'm2')) as AnyRecord;
      await db.put('messages', { ...m2, iv: new Uint8Array(12) });
      await db.put('contacts', { id: 'k2', ciphertext: new ArrayBuffer(3), iv: new Uint8Array(12), v: 1 });
      db.close();
      const report = await vault.verifyIntegrity();
      expect(report.checked).toBe(4);
      expect(report.quarantined.map((q) => `${q.store}/${String(q.key)}`).sort()).toEqual([
        'contacts/k2',
        'messages/m2',
      ]);
      expect(await vault.query('messages')).toEqual([{ id: 'm1', conversationId: 'c', at: 1, text: 'hi' }]);
      expect((await vault.verifyIntegrity()).quarantined).toEqual([]);
    });
  });

  describe('vault contract: schema and migrations', () => {
    const v1: VaultSchema = {
      version: 1,
      stores: { contacts: { keyPath: 'id', category: 'contacts', indexes: {} } },
      migrations: [],
    };
    const v2: VaultSchema = {
      version: 2,
      stores: {
        contacts: { keyPath: 'id', category: 'contacts', indexes: { updated: { keyPath: 'updated' } } },
        notes: { keyPath: 'id', category: 'profile', indexes: {} },
      },
      migrations: [{ version: 2, resplit: ['contacts'] }],
    };

    it('[MIG1][MIG2] upgrades v1 → v2 with data in it: new stores and indexes, old records re-split after unlock', async () => {
      const { make, raw, sessionKeys } = await setup({ schema: v1 });
      const old = await make();
      await old.setUp(PASS);
      await old.putMany('contacts', [
        { id: 'k1', name: 'Dana', updated: 10 },
        { id: 'k2', name: 'Eli', updated: 20 },
      ]);
      old.close();
      await sessionKeys.clear();

      const upgraded = await make({ schema: v2 });
      expect(upgraded.isUnlocked).toBe(false);
      let db = await raw();
      expect(db.version).toBe(2);
      expect([...db.objectStoreNames]).toContain('notes');
      expect(await db.countFromIndex('contacts', 'updated')).toBe(0);
      db.close();

      await upgraded.unlock(PASS);
      db = await raw();
      const stored = (await db.get('contacts', 'k2')) as AnyRecord;
      db.close();
      expect(stored.updated).toBe(20);
      const recent = await upgraded.query('contacts', { index: 'updated', range: { lower: 15 } });
      expect(recent).toEqual([{ id: 'k2', name: 'Eli', updated: 20 }]);
      expect(await upgraded.get('contacts', 'k1')).toEqual({ id: 'k1', name: 'Dana', updated: 10 });
      await upgraded.put('notes', { id: 'n', text: 'new store works' });
    });

    it('[MIG3] older code refuses a vault written by a newer schema', async () => {
      const { make } = await setup({ schema: v2 });
      await (await make()).setUp(PASS);
      opened.forEach((v) => v.close());
      await expectCode(make({ schema: v1 }), 'schema_too_new');
    });
  });

  describe('vault contract: backup', () => {
    async function twoProfiles() {
      const a = await setup();
      const b = await setup();
      const va = await a.make();
      const vb = await b.make();
      await va.setUp(PASS);
      await vb.setUp('other device pass');
      return { a, b, va, vb };
    }

    it('[BAK1] exports a versioned JSON file with nothing readable inside', async () => {
      const { va } = await twoProfiles();
      await va.putMany('events', [event(1), event(2)]);
      await va.putBlob('history', new TextEncoder().encode('sqlite bytes: lunch with Dana'));
      const file = await exportBackup(va, 'backup pass');
      const parsed = JSON.parse(file) as Record<string, unknown>;
      expect(parsed.format).toBe('parley-vault-backup');
      expect(parsed.version).toBe(1);
      expect(file).not.toContain('Secret meeting');
      expect(file).not.toContain('Dana');
    });

    it('[BAK2] imports on another profile, replacing or merging', async () => {
      const { va, vb } = await twoProfiles();
      await va.putMany('events', [event(1), event(2, { title: 'from backup' })]);
      await va.putBlob('history', new Uint8Array([1, 2, 3]));
      const file = await exportBackup(va, 'backup pass');

      await vb.putMany('events', [event(2, { title: 'local newer' }), event(3)]);
      const merged = await importBackup(vb, file, 'backup pass', { mode: 'merge' });
      expect(merged).toEqual({ mode: 'merge', written: 2, skipped: 1 });
      expect((await vb.query('events')).map((e) => [e.id, e.title])).toEqual([
        ['ev-00001', event(1).title],
        ['ev-00002', 'local newer'],
        ['ev-00003', event(3).title],
      ]);
      expect(await vb.getBlob('history')).toEqual(new Uint8Array([1, 2, 3]));

      const replaced = await importBackup(vb, file, 'backup pass', { mode: 'replace' });
      expect(replaced.written).toBe(3);
      expect((await vb.query('events')).map((e) => [e.id, e.title])).toEqual([
        ['ev-00001', event(1).title],
        ['ev-00002', 'from backup'],
      ]);
    });

    it('[BAK3] a wrong passphrase changes nothing', async () => {
      const { va, vb } = await twoProfiles();
      await va.put('events', event(1));
      await vb.put('events', event(9));
      const file = await exportBackup(va, 'backup pass');
      await expectCode(importBackup(vb, file, 'nope', { mode: 'replace' }), 'backup_wrong_passphrase');
      expect((await vb.query('events')).map((e) => e.id)).toEqual(['ev-00009']);
    });

    it('[BAK4] a tampered or malformed file is refused and changes nothing', async () => {
      const { va, vb } = await twoProfiles();
      await va.put('events', event(1));
      await vb.put('events', event(9));
      const file = JSON.parse(await exportBackup(va, 'backup pass')) as {
        payload: { data: string };
        createdAt: number;
      };
      const flip = (b64: string): string => {
        const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
        bytes[5]! ^= 0x20;
        return btoa(String.fromCharCode(...bytes));
      };
      const tamperedData = JSON.stringify({
        ...file,
        payload: { ...file.payload, data: flip(file.payload.data) },
      });
      await expectCode(importBackup(vb, tamperedData, 'backup pass', { mode: 'replace' }), 'backup_tampered');
      const tamperedHeader = JSON.stringify({ ...file, createdAt: file.createdAt + 1 });
      await expectCode(
        importBackup(vb, tamperedHeader, 'backup pass', { mode: 'replace' }),
        'backup_tampered',
      );
      await expectCode(
        importBackup(vb, '{"format":"nope"}', 'backup pass', { mode: 'replace' }),
        'backup_invalid',
      );
      await expectCode(importBackup(vb, 'not json', 'backup pass', { mode: 'replace' }), 'backup_invalid');
      const extra = JSON.stringify({ ...file, note: 'added' });
      await expectCode(importBackup(vb, extra, 'backup pass', { mode: 'replace' }), 'backup_invalid');
      expect((await vb.query('events')).map((e) => e.id)).toEqual(['ev-00009']);
    });
  });

  describe('vault contract: pruning and deletion', () => {
    it('[PRN1] prunes history older than the configured age and keeps the rest', async () => {
      const { make, clock } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      const day = 86_400_000;
      const now = clock.now();
      await vault.putMany('messages', [
        { id: 'old', conversationId: 'c', at: now - 40 * day },
        { id: 'new', conversationId: 'c', at: now - 2 * day },
      ]);
      await vault.putMany('audit', [
        { id: 'a-old', at: now - 31 * day },
        { id: 'a-new', at: now },
      ]);
      await vault.put('events', event(1, { start: now - 400 * day }));
      const report = await vault.prune({ olderThanMs: 30 * day });
      expect(report.deleted).toEqual({ messages: 1, seen: 0, audit: 1, chat: 0 });
      expect((await vault.query('messages')).map((m) => m.id)).toEqual(['new']);
      expect((await vault.query('audit')).map((m) => m.id)).toEqual(['a-new']);
      expect(await vault.count('events')).toBe(1);
    });

    it('[PRN2] "delete all my data" removes every store, the keys and the session', async () => {
      const { make, sessionKeys, raw } = await setup();
      const vault = await make();
      await vault.setUp(PASS);
      await vault.put('events', event(1));
      await vault.putBlob('history', new Uint8Array([9]));
      const events: string[] = [];
      vault.subscribe((e) => events.push(e.type));
      await vault.deleteAllData();
      expect(events).toContain('reset');
      expect(vault.isUnlocked).toBe(false);
      expect(await vault.isSetUp()).toBe(false);
      expect(await sessionKeys.load()).toBeUndefined();
      const db = await raw();
      for (const store of db.objectStoreNames) expect(await db.count(store)).toBe(0);
      db.close();
      await vault.setUp('a new start');
      expect(await vault.get('events', 'ev-00001')).toBeUndefined();
    });
  });

  describe('vault contract: SQLite history', () => {
    async function withHistory() {
      const s = await setup();
      const vault = await s.make();
      await vault.setUp(PASS);
      const scheduler = new ManualScheduler();
      const sqlJs = await s.env.sqlJs();
      const history = await openHistory(vault, {
        sqlJs,
        scheduler,
        now: s.clock.now,
        debounceMs: 2_000,
        maxWaitMs: 10_000,
      });
      return { ...s, vault, scheduler, sqlJs, history };
    }

    it('[HIS1] searches with FTS4 (the sql.js build has no FTS5), prefix and diacritic-insensitive', async () => {
      const { history, sqlJs } = await withHistory();
      history.add([
        { id: 'm1', conversationId: 'c1', at: 1, author: 'dana', text: 'Lunch on Thursday at the café?' },
        { id: 'm2', conversationId: 'c2', at: 2, author: 'eli', text: 'Déjeuner jeudi' },
        { id: 'm3', conversationId: 'c1', at: 3, author: 'me', text: 'Thursday works' },
      ]);
      expect(history.search('thurs').map((e) => e.id)).toEqual(['m3', 'm1']);
      expect(history.search('dejeuner').map((e) => e.id)).toEqual(['m2']);
      expect(history.search('cafe lunch').map((e) => e.id)).toEqual(['m1']);
      expect(history.search('thursday', { conversationId: 'c1', limit: 1 }).map((e) => e.id)).toEqual(['m3']);
      expect(history.search('" OR ( *')).toEqual([]);
      expect(history.conversation('c1').map((e) => e.id)).toEqual(['m3', 'm1']);
      const probe = new sqlJs.Database();
      expect(() => probe.run('CREATE VIRTUAL TABLE t USING fts5(x)')).toThrow(/fts5/);
      probe.close();
    });

    it('[HIS2] persists in the background, debounced and batched, never inside add()', async () => {
      const { history, scheduler, raw, clock } = await withHistory();
      history.add([{ id: 'm1', conversationId: 'c', at: 1, author: 'a', text: 'one' }]);
      clock.advance(1_000);
      history.add([{ id: 'm2', conversationId: 'c', at: 2, author: 'a', text: 'two' }]);
      history.add([{ id: 'm2', conversationId: 'c', at: 2, author: 'a', text: 'two' }]);
      const db = await raw();
      expect(await db.count('blobs')).toBe(0);
      expect(scheduler.pending.size).toBe(1);
      expect([...scheduler.pending.values()][0]!.ms).toBe(2_000);
      expect(history.pendingChanges).toBe(2);
      clock.advance(8_500);
      history.add([{ id: 'm3', conversationId: 'c', at: 3, author: 'a', text: 'three' }]);
      // Never later than maxWaitMs after the first unsaved change.
      expect([...scheduler.pending.values()][0]!.ms).toBe(500);
      scheduler.runAll();
      await history.flush();
      expect(history.pendingChanges).toBe(0);
      expect(await db.count('blobs')).toBe(1);
      db.close();
    });

    it('[HIS3] the persisted database is encrypted and reopens with its contents', async () => {
      const { history, vault, raw, sqlJs } = await withHistory();
      history.add([
        { id: 'm1', conversationId: 'c', at: 1, author: 'a', text: 'the launch code is swordfish' },
      ]);
      await history.close();
      const db = await raw();
      const stored = (await db.get('blobs', 'history')) as { ciphertext: ArrayBuffer };
      db.close();
      expect(containsText(new Uint8Array(stored.ciphertext), 'swordfish')).toBe(false);
      expect(containsText(new Uint8Array(stored.ciphertext), 'SQLite format')).toBe(false);
      const again = await openHistory(vault, { sqlJs, scheduler: new ManualScheduler() });
      expect(again.search('swordfish').map((e) => e.id)).toEqual(['m1']);
      expect(again.latestAt()).toBe(1);
    });

    it('[HIS4] locking the vault drops the in-memory history', async () => {
      const { history, vault } = await withHistory();
      history.add([{ id: 'm1', conversationId: 'c', at: 1, author: 'a', text: 'x' }]);
      await vault.lock();
      expect(() => history.search('x')).toThrow(/locked/);
    });

    it('[HIS5] prunes old entries', async () => {
      const { history, clock } = await withHistory();
      const now = clock.now();
      history.add([
        { id: 'old', conversationId: 'c', at: now - 100, author: 'a', text: 'old' },
        { id: 'new', conversationId: 'c', at: now, author: 'a', text: 'new' },
      ]);
      expect(history.prune(50)).toBe(1);
      expect(history.count()).toBe(1);
      expect(history.search('old')).toEqual([]);
    });
  });
}

const VAULT_CATEGORIES = [
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
];
