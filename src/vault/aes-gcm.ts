import { VaultError } from './errors';

/** The only IV length the vault writes: 96 bits, fresh from the CSPRNG for every encryption. */
export const IV_BYTES = 12;
export const KEY_BYTES = 32;

/** The slice of WebCrypto the vault uses; `globalThis.crypto` in browsers, workers and Node 20. */
export type CryptoDeps = Pick<Crypto, 'subtle' | 'getRandomValues'>;

export function defaultCrypto(): CryptoDeps {
  const c = globalThis.crypto as Crypto | undefined;
  if (!c?.subtle) {
    throw new VaultError('crypto_failed', 'WebCrypto (crypto.subtle) is not available in this context.');
  }
  return c;
}

export function randomBytes(crypto: CryptoDeps, length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** Imports raw AES key bytes for AES-GCM; non-extractable so script bugs cannot leak it. */
export function importAesGcmKey(crypto: CryptoDeps, raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/**
 * AES-GCM with a 128-bit tag. The output is ciphertext || tag, as WebCrypto returns it.
 * Any IV length the platform accepts is passed through (the Wycheproof tests use that);
 * vault code always passes IV_BYTES.
 */
export async function aesGcmEncrypt(
  crypto: CryptoDeps,
  key: CryptoKey,
  iv: Uint8Array<ArrayBuffer>,
  plaintext: Uint8Array<ArrayBuffer>,
  aad: Uint8Array<ArrayBuffer>,
): Promise<ArrayBuffer> {
  return crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, key, plaintext);
}

/** Returns undefined when the tag does not verify (wrong key, wrong AAD, or altered bytes). */
export async function aesGcmDecrypt(
  crypto: CryptoDeps,
  key: CryptoKey,
  iv: Uint8Array<ArrayBuffer>,
  sealed: BufferSource,
  aad: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    const out = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 },
      key,
      sealed,
    );
    return new Uint8Array(out);
  } catch {
    // WebCrypto reports a bad tag as OperationError with no detail; callers turn
    // "undefined" into the error that fits (wrong passphrase, corrupt record, tampered backup).
    return undefined;
  }
}
