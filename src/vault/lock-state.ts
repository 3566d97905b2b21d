import { errorFields } from '../log';
import { importAesGcmKey, randomBytes } from './aes-gcm';
import { bytesToHex, fromBase64, toBase64 } from './bytes';
import { log, type Keys, type VaultContext } from './context';
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
import { DATA_VERSION_ID, runDataMigrations } from './migrations';
import { Mutex } from './mutex';
import { CATEGORIES, META_STORE, type Category } from './schema';
import { afterFailure, THROTTLE_ID, type ThrottleRecord } from './throttle';

/**
 * The key lifecycle:
 *
 *   (not set up) --setUp--> UNLOCKED <--unlock/resume-- LOCKED
 *                             |  ^                         ^
 *                             |  +---- operations ---------|--- idle > timeout (checked on use)
 *                             +----------- lock() ---------+
 *
 * Keys live in memory and in the SessionKeyStore while unlocked; `forgetInMemory()`
 * drops the memory copy only (a worker shutting down), `lock()` drops both.
 */
export class LockState {
  /** Serialises set-up, unlock and passphrase changes (each reads, then writes, the keyring). */
  private readonly unlocks = new Mutex();
  private keys: Keys | undefined;
  private rawKeys: RawKeys | undefined;
  private vaultId: string | undefined;
  private lastActivityAt = 0;
  private persistedActivityAt = 0;

  constructor(private readonly ctx: VaultContext) {}

  get isUnlocked(): boolean {
    return this.keys !== undefined;
  }

  async isSetUp(): Promise<boolean> {
    return (await this.keyring()) !== undefined;
  }

  async setUp(passphrase: string): Promise<void> {
    const { ctx } = this;
    await this.unlocks.run(async () => {
      if (passphrase.length === 0)
        throw new VaultError('wrong_passphrase', 'Choose a passphrase that is not empty.');
      if (await this.keyring()) {
        throw new VaultError(
          'already_set_up',
          'This vault already has a passphrase; unlock it or change the passphrase.',
        );
      }
      const vaultId = bytesToHex(randomBytes(ctx.crypto, 16));
      const raw = newRawKeys(ctx.crypto);
      const ring = await wrapKeyring(ctx.crypto, vaultId, passphrase, raw, ctx.kdf);
      const tx = ctx.database().transaction(META_STORE, 'readwrite');
      // add(), not put(): two racing set-ups cannot both win.
      await Promise.all([
        tx.store.add(ring),
        tx.store.put({ id: DATA_VERSION_ID, version: ctx.schema.version }),
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
      await runDataMigrations(this.ctx, this.keys!);
    });
  }

  /** Re-wraps the data keys under the new passphrase; no record is rewritten. */
  async changePassphrase(current: string, next: string): Promise<void> {
    const { ctx } = this;
    await this.unlocks.run(async () => {
      if (next.length === 0)
        throw new VaultError('wrong_passphrase', 'Choose a new passphrase that is not empty.');
      const raw = await this.checkPassphrase(current);
      const ring = (await this.keyring())!;
      const rewrapped = await wrapKeyring(ctx.crypto, ring.vaultId, next, raw, ctx.kdf);
      await ctx.database().put(META_STORE, rewrapped);
    });
  }

  async lock(reason: 'user' | 'idle' = 'user'): Promise<void> {
    const was = this.keys !== undefined;
    this.forgetInMemory();
    await this.ctx.session.clear();
    if (was) this.ctx.emit({ type: 'locked', reason });
  }

  /** Drops the in-memory keys only; the session copy stays (a worker shutting down). */
  forgetInMemory(): void {
    this.keys = undefined;
    this.rawKeys = undefined;
  }

  /** Checks the idle deadline now, so an idle vault locks without a read. */
  async checkIdle(): Promise<boolean> {
    if (this.keys && this.ctx.clock.now() - this.lastActivityAt > this.ctx.idleTimeoutMs) {
      await this.lock('idle');
      return true;
    }
    return false;
  }

  /** Picks up the keys of a live session (the worker restarted), if they still fit the keyring. */
  async resume(): Promise<void> {
    const { ctx } = this;
    const saved = await ctx.session.load();
    if (!saved) return;
    const ring = await this.keyring();
    const raw: RawKeys = new Map();
    for (const [c, b64] of Object.entries(saved.keys)) raw.set(c as Category, fromBase64(b64));
    const fresh = ctx.clock.now() - saved.lastActivityAt <= ctx.idleTimeoutMs;
    if (!ring || ring.vaultId !== saved.vaultId || !fresh || !(await keysMatch(ctx.crypto, ring, raw))) {
      await ctx.session.clear();
      return;
    }
    this.keys = await this.importKeys(raw);
    this.rawKeys = raw;
    this.vaultId = ring.vaultId;
    this.lastActivityAt = saved.lastActivityAt;
    this.persistedActivityAt = saved.lastActivityAt;
    await runDataMigrations(ctx, this.keys);
  }

  /** The data keys for an operation; counts as activity, and locks instead when idle too long. */
  async require(): Promise<Keys> {
    const { ctx } = this;
    ctx.database();
    if (!this.keys) throw new VaultError('locked', 'The vault is locked; unlock it with the passphrase.');
    const now = ctx.clock.now();
    if (now - this.lastActivityAt > ctx.idleTimeoutMs) {
      await this.lock('idle');
      throw new VaultError(
        'locked',
        'The vault locked itself after being idle; unlock it with the passphrase.',
      );
    }
    this.lastActivityAt = now;
    // The session copy of the activity time only needs to be roughly current.
    if (now - this.persistedActivityAt > Math.min(ctx.idleTimeoutMs / 4, 60_000)) {
      this.persistSession().catch((e: unknown) => log.warn('session_save_failed', errorFields(e)));
    }
    return this.keys;
  }

  private async keyring(): Promise<KeyringRecord | undefined> {
    return (await this.ctx.database().get(META_STORE, KEYRING_ID)) as KeyringRecord | undefined;
  }

  private async checkPassphrase(passphrase: string): Promise<RawKeys> {
    const { ctx } = this;
    const ring = await this.keyring();
    if (!ring) throw new VaultError('not_set_up', 'The vault has no passphrase yet; run set-up first.');
    const db = ctx.database();
    const throttle = (await db.get(META_STORE, THROTTLE_ID)) as ThrottleRecord | undefined;
    const now = ctx.clock.now();
    if (throttle && now < throttle.notBefore) {
      const retryAfterMs = throttle.notBefore - now;
      throw new VaultError(
        'unlock_throttled',
        `Too many wrong passphrases; try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
        { retryAfterMs },
      );
    }
    const raw = await unwrapKeyring(ctx.crypto, ring, passphrase, ctx.kdf);
    if (!raw) {
      const next = afterFailure(ctx.throttle, throttle, ctx.clock.now());
      await db.put(META_STORE, next);
      const retryAfterMs = Math.max(0, next.notBefore - ctx.clock.now());
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
      const fresh = newRawKeys(ctx.crypto);
      for (const c of missing) raw.set(c, fresh.get(c)!);
      await db.put(META_STORE, await wrapKeyring(ctx.crypto, ring.vaultId, passphrase, raw, ctx.kdf));
    }
    return raw;
  }

  private async becomeUnlocked(vaultId: string, raw: RawKeys): Promise<void> {
    this.keys = await this.importKeys(raw);
    this.rawKeys = raw;
    this.vaultId = vaultId;
    this.lastActivityAt = this.ctx.clock.now();
    await this.persistSession();
    this.ctx.emit({ type: 'unlocked' });
  }

  private async importKeys(raw: RawKeys): Promise<Keys> {
    const keys = new Map<Category, CryptoKey>();
    await Promise.all(
      [...raw].map(async ([c, bytes]) => keys.set(c, await importAesGcmKey(this.ctx.crypto, bytes))),
    );
    return keys;
  }

  private async persistSession(): Promise<void> {
    if (!this.rawKeys || !this.vaultId) return;
    const keys: Record<string, string> = {};
    for (const [c, bytes] of this.rawKeys) keys[c] = toBase64(bytes);
    this.persistedActivityAt = this.lastActivityAt;
    await this.ctx.session.save({ vaultId: this.vaultId, keys, lastActivityAt: this.lastActivityAt });
  }
}
