import { aesGcmDecrypt, aesGcmEncrypt, IV_BYTES, KEY_BYTES, randomBytes, type CryptoDeps } from './aes-gcm';
import { constantTimeEqual } from '../crypto';
import { utf8 } from './bytes';
import { VaultError } from './errors';
import { checkIterations, deriveKek, SALT_BYTES, type KdfParams, type KdfPolicy } from './pbkdf2';
import { CATEGORIES, type Category } from './schema';

export const KEYRING_ID = 'keyring';

export interface WrappedKey {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly wrapped: ArrayBuffer;
  /** Fingerprint of the raw key, so keys resumed from session storage can be checked. */
  readonly check: Uint8Array<ArrayBuffer>;
}

/** Stored in clear in the meta store: nothing in it helps without the passphrase. */
export interface KeyringRecord {
  readonly id: typeof KEYRING_ID;
  readonly v: 1;
  readonly vaultId: string;
  readonly kdf: KdfParams;
  readonly keys: Partial<Record<Category, WrappedKey>>;
}

export type RawKeys = Map<Category, Uint8Array<ArrayBuffer>>;

function wrapAad(vaultId: string, category: string): Uint8Array<ArrayBuffer> {
  return utf8(`parley-vault-key\u0000${vaultId}\u0000${category}`);
}

export async function keyCheck(
  crypto: CryptoDeps,
  raw: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const input = new Uint8Array(raw.length + 16);
  input.set(utf8('parley-vault-kcv'));
  input.set(raw, 16);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input)).slice(0, 16);
}

export function newRawKeys(crypto: CryptoDeps): RawKeys {
  return new Map(CATEGORIES.map((c) => [c, randomBytes(crypto, KEY_BYTES)]));
}

/** Wraps every data key under a fresh salt; the data itself is never touched. */
export async function wrapKeyring(
  crypto: CryptoDeps,
  vaultId: string,
  passphrase: string,
  raw: RawKeys,
  policy: KdfPolicy,
): Promise<KeyringRecord> {
  checkIterations(policy, policy.iterations);
  const kdf: KdfParams = {
    name: 'PBKDF2-SHA256',
    iterations: policy.iterations,
    salt: randomBytes(crypto, SALT_BYTES),
  };
  const kek = await deriveKek(crypto, passphrase, kdf);
  const keys: Partial<Record<Category, WrappedKey>> = {};
  await Promise.all(
    [...raw].map(async ([category, bytes]) => {
      const iv = randomBytes(crypto, IV_BYTES);
      const wrapped = await aesGcmEncrypt(crypto, kek, iv, bytes, wrapAad(vaultId, category));
      keys[category] = { iv, wrapped, check: await keyCheck(crypto, bytes) };
    }),
  );
  return { id: KEYRING_ID, v: 1, vaultId, kdf, keys };
}

/** The raw data keys, or undefined when the passphrase is wrong. */
export async function unwrapKeyring(
  crypto: CryptoDeps,
  ring: KeyringRecord,
  passphrase: string,
  policy: KdfPolicy,
): Promise<RawKeys | undefined> {
  checkIterations(policy, ring.kdf.iterations);
  const kek = await deriveKek(crypto, passphrase, ring.kdf);
  const entries = Object.entries(ring.keys) as [Category, WrappedKey][];
  const opened = await Promise.all(
    entries.map(([category, w]) =>
      aesGcmDecrypt(crypto, kek, w.iv, w.wrapped, wrapAad(ring.vaultId, category)),
    ),
  );
  if (opened.every((k) => k === undefined)) return undefined;
  const raw: RawKeys = new Map();
  for (const [i, bytes] of opened.entries()) {
    const category = entries[i]![0];
    // One key opening and another not means the keyring itself was altered, not a typo.
    if (!bytes)
      throw new VaultError('crypto_failed', `The key for "${category}" is damaged; restore from a backup.`);
    raw.set(category, bytes);
  }
  return raw;
}

/** True when resumed session keys are exactly the ones this keyring wraps. */
export async function keysMatch(crypto: CryptoDeps, ring: KeyringRecord, raw: RawKeys): Promise<boolean> {
  for (const [category, w] of Object.entries(ring.keys) as [Category, WrappedKey][]) {
    const bytes = raw.get(category);
    if (!bytes || !constantTimeEqual(await keyCheck(crypto, bytes), w.check)) return false;
  }
  return true;
}
