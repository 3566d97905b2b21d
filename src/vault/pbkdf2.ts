import type { CryptoDeps } from './aes-gcm';
import { VaultError } from './errors';
import { utf8 } from './bytes';

/** OWASP 2023 floor for PBKDF2-HMAC-SHA256; production never goes below it. */
export const PBKDF2_MIN_ITERATIONS = 600_000;
export const SALT_BYTES = 16;

export interface KdfParams {
  readonly name: 'PBKDF2-SHA256';
  readonly iterations: number;
  readonly salt: Uint8Array<ArrayBuffer>;
}

/**
 * Iteration policy. Tests may lower the count, but only by saying so explicitly;
 * a vault or backup claiming fewer iterations is refused otherwise, so an edited
 * keyring cannot silently downgrade the work factor.
 */
export interface KdfPolicy {
  readonly iterations: number;
  readonly allowWeakIterationsForTests: boolean;
}

export const DEFAULT_KDF_POLICY: KdfPolicy = {
  iterations: PBKDF2_MIN_ITERATIONS,
  allowWeakIterationsForTests: false,
};

export function checkIterations(policy: KdfPolicy, iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new VaultError('weak_kdf', `PBKDF2 iteration count ${iterations} is not a positive integer.`);
  }
  if (iterations < PBKDF2_MIN_ITERATIONS && !policy.allowWeakIterationsForTests) {
    throw new VaultError(
      'weak_kdf',
      `PBKDF2 with ${iterations} iterations is below the ${PBKDF2_MIN_ITERATIONS} minimum; ` +
        'only tests may lower it, with allowWeakIterationsForTests.',
    );
  }
}

export function passphraseBytes(passphrase: string | Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  // NFC so the same passphrase typed on two keyboards/OSes derives the same key.
  return typeof passphrase === 'string' ? utf8(passphrase.normalize('NFC')) : passphrase;
}

/** PBKDF2-HMAC-SHA256 → `lengthBytes` of key material. */
export async function pbkdf2Sha256(
  crypto: CryptoDeps,
  password: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  lengthBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const base = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    base,
    lengthBytes * 8,
  );
  return new Uint8Array(bits);
}

/** The key-encryption key: PBKDF2 straight into a non-extractable AES-256-GCM key. */
export async function deriveKek(
  crypto: CryptoDeps,
  passphrase: string | Uint8Array<ArrayBuffer>,
  params: KdfParams,
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', passphraseBytes(passphrase), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: params.salt, iterations: params.iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
