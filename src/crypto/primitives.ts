import { E2eError } from './errors';
import type { RandomBytes } from './random';
import { secureRandomBytes } from './random';
import { sodiumSync } from './sodium';

/**
 * Thin typed wrappers over the libsodium primitives the protocol uses. They check lengths
 * up front and turn libsodium's untyped throws into `E2eError`s, so the protocol code (and
 * the Wycheproof suites, which run through exactly these functions) see one behaviour.
 * All of them need `await loadSodium()` to have resolved once.
 */

export const X25519_KEY_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;

export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * X25519 (RFC 7748). [PRIM1] Refuses a peer key of small order, whose shared secret is all
 * zero, with `low_order_point` (libsodium checks this before and after multiplying); every
 * other 32-byte input, twist points and non-canonical encodings included, is accepted.
 */
export function x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (secretKey.length !== X25519_KEY_BYTES || publicKey.length !== X25519_KEY_BYTES) {
    throw new E2eError('bad_key', 'X25519 keys are 32 bytes: pass the raw key, not an encoding of it');
  }
  try {
    return sodiumSync().crypto_scalarmult(secretKey, publicKey);
  } catch (cause) {
    // libsodium refuses an all-zero shared secret: the only way crypto_scalarmult fails on 32-byte inputs.
    throw new E2eError('low_order_point', 'the peer X25519 key is of small order: refuse this key', {
      cause,
    });
  }
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== X25519_KEY_BYTES)
    throw new E2eError('bad_key', 'an X25519 secret key is 32 bytes');
  return sodiumSync().crypto_scalarmult_base(secretKey);
}

export function generateX25519KeyPair(random: RandomBytes = secureRandomBytes): X25519KeyPair {
  const secretKey = random(X25519_KEY_BYTES);
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

/** Ed25519 verification (libsodium: canonical S, no small-order keys or R). Never throws. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES)
    return false;
  try {
    return sodiumSync().crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    // Documented as never throwing: a refusal inside libsodium is an invalid signature.
    return false;
  }
}

export function ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return sodiumSync().crypto_sign_detached(message, secretKey);
}

/** [IDK1] The X25519 public key of an Ed25519 identity (birational map Edwards → Montgomery). */
export function identityX25519PublicKey(ed25519PublicKey: Uint8Array): Uint8Array {
  if (ed25519PublicKey.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new E2eError('bad_key', 'an identity key is a 32-byte Ed25519 public key');
  }
  try {
    return sodiumSync().crypto_sign_ed25519_pk_to_curve25519(ed25519PublicKey);
  } catch (cause) {
    // Not a point on the curve: the key is refused, typed, for the caller to drop the bundle.
    throw new E2eError('bad_key', 'the identity key is not a valid Ed25519 point', { cause });
  }
}

/** [IDK1] The X25519 secret scalar of an Ed25519 identity (the clamped SHA-512 seed half). */
export function identityX25519SecretKey(ed25519SecretKey: Uint8Array): Uint8Array {
  return sodiumSync().crypto_sign_ed25519_sk_to_curve25519(ed25519SecretKey);
}

function checkAeadInputs(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== AEAD_KEY_BYTES) throw new E2eError('bad_key', 'an XChaCha20-Poly1305 key is 32 bytes');
  if (nonce.length !== AEAD_NONCE_BYTES) {
    throw new E2eError('bad_nonce', 'an XChaCha20-Poly1305 nonce is 24 bytes');
  }
}

/** XChaCha20-Poly1305 (IETF) encryption; returns ciphertext ‖ 16-byte tag. */
export function aeadEncrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  ad: Uint8Array,
): Uint8Array {
  checkAeadInputs(key, nonce);
  return sodiumSync().crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
}

/** XChaCha20-Poly1305 (IETF) decryption of ciphertext ‖ tag; `decrypt_failed` if it does not authenticate. */
export function aeadDecrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  ad: Uint8Array,
): Uint8Array {
  checkAeadInputs(key, nonce);
  if (sealed.length < AEAD_TAG_BYTES) throw new E2eError('decrypt_failed', 'ciphertext shorter than its tag');
  try {
    return sodiumSync().crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, ad, nonce, key);
  } catch (cause) {
    // Wrong key, tampered bytes or wrong associated data look alike, on purpose: one typed refusal.
    throw new E2eError('decrypt_failed', 'the message does not authenticate: drop it', { cause });
  }
}
