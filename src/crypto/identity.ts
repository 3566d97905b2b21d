import { loadSodium, sodiumSync } from './sodium';
import { fromBase64Url, toBase64Url, toHex } from './bytes';

/**
 * An agent's long-term identity: one Ed25519 key pair. The agent id *is* the
 * base64url public key, so anyone (the relay included) can check a signature
 * against an agent id without a directory.
 */
export interface Identity {
  readonly agentId: string;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export async function generateIdentity(): Promise<Identity> {
  const sodium = await loadSodium();
  const { publicKey, privateKey } = sodium.crypto_sign_keypair();
  return { agentId: toBase64Url(publicKey), publicKey, secretKey: privateKey };
}

/** Restores an identity from its 64-byte Ed25519 secret key (seed ‖ public key), checking both halves agree. */
export function identityFromSecretKey(secretKey: Uint8Array): Identity {
  if (secretKey.length !== 64) throw new Error('an Ed25519 secret key is 64 bytes');
  const { publicKey, privateKey } = sodiumSync().crypto_sign_seed_keypair(secretKey.subarray(0, 32));
  if (!sodiumSync().memcmp(privateKey, secretKey)) throw new Error('the stored identity key is corrupt');
  return { agentId: toBase64Url(publicKey), publicKey, secretKey: privateKey };
}

export function publicKeyOf(agentId: string): Uint8Array {
  const key = fromBase64Url(agentId);
  if (key.length !== 32) throw new Error('an agent id is a 32-byte Ed25519 public key in base64url');
  return key;
}

export function sign(identity: Identity, message: Uint8Array): Uint8Array {
  return sodiumSync().crypto_sign_detached(message, identity.secretKey);
}

export function verify(agentId: string, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return sodiumSync().crypto_sign_verify_detached(signature, message, publicKeyOf(agentId));
  } catch {
    // An agent id that is not a key, or a malformed signature: not a valid signature, which is the answer.
    return false;
  }
}

/**
 * A short, human-comparable fingerprint of an agent id: 8 groups of 4 hex digits
 * of BLAKE2b-256 over the public key.
 */
export function fingerprint(agentId: string): string {
  const digest = sodiumSync().crypto_generichash(16, publicKeyOf(agentId), null);
  return toHex(digest).match(/.{4}/g)!.join(' ');
}
