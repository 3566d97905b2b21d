import { publicKeyOf, type Identity } from './identity';
import { sodiumSync } from './sodium';
import { fromBase64Url, toBase64Url } from './bytes';

export class CryptoError extends Error {
  constructor(
    readonly code: 'decrypt_failed' | 'bad_input',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CryptoError';
  }
}

/**
 * Authenticated public-key encryption between two agents (crypto_box: X25519 +
 * XSalsa20-Poly1305), the keys converted from their Ed25519 identities. Both ends
 * are authenticated: only `to` can open it and only `from` could have made it.
 * The Double Ratchet (src/crypto/ratchet) replaces this for conversations.
 */
export function sealFor(from: Identity, toAgentId: string, plaintext: Uint8Array): string {
  const sodium = sodiumSync();
  const nonce = sodium.randombytes_buf(sodium.crypto_box_NONCEBYTES);
  const theirs = sodium.crypto_sign_ed25519_pk_to_curve25519(publicKeyOf(toAgentId));
  const mine = sodium.crypto_sign_ed25519_sk_to_curve25519(from.secretKey);
  const box = sodium.crypto_box_easy(plaintext, nonce, theirs, mine);
  const out = new Uint8Array(nonce.length + box.length);
  out.set(nonce);
  out.set(box, nonce.length);
  return toBase64Url(out);
}

export function openFrom(to: Identity, fromAgentId: string, sealed: string): Uint8Array {
  const sodium = sodiumSync();
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(sealed);
  } catch (cause) {
    // A peer's (or an attacker's) bytes: refused with a typed error the caller drops the message on.
    throw new CryptoError('bad_input', 'sealed payload is not base64url', { cause });
  }
  if (bytes.length < sodium.crypto_box_NONCEBYTES + sodium.crypto_box_MACBYTES) {
    throw new CryptoError('bad_input', 'sealed payload is too short');
  }
  const nonce = bytes.subarray(0, sodium.crypto_box_NONCEBYTES);
  const box = bytes.subarray(sodium.crypto_box_NONCEBYTES);
  try {
    const theirs = sodium.crypto_sign_ed25519_pk_to_curve25519(publicKeyOf(fromAgentId));
    const mine = sodium.crypto_sign_ed25519_sk_to_curve25519(to.secretKey);
    return sodium.crypto_box_open_easy(box, nonce, theirs, mine);
  } catch (cause) {
    // libsodium says only "incorrect key pair" or "wrong tag": either way the message is not authentic.
    throw new CryptoError('decrypt_failed', 'message could not be authenticated', { cause });
  }
}
