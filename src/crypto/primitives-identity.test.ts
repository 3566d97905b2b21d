import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  generateX25519KeyPair,
  identityX25519PublicKey,
  identityX25519SecretKey,
  x25519,
  x25519PublicKey,
} from './primitives';
import { loadSodium, type Sodium } from './sodium';
import { identityFromSeed } from './test-support';

let sodium: Sodium;
beforeAll(async () => {
  sodium = await loadSodium();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('identity keys and randomness', () => {
  it('[IDK1] the X25519 identity is derived from the Ed25519 identity, and both sides agree on DH', () => {
    const alice = identityFromSeed(31);
    const bob = identityFromSeed(32);
    const aliceSecret = identityX25519SecretKey(alice.secretKey);
    expect(identityX25519PublicKey(alice.publicKey)).toEqual(x25519PublicKey(aliceSecret));
    const ab = x25519(aliceSecret, identityX25519PublicKey(bob.publicKey));
    const ba = x25519(identityX25519SecretKey(bob.secretKey), identityX25519PublicKey(alice.publicKey));
    expect(ab).toEqual(ba);
  });

  it('[IDK1] refuses an identity key that is not a usable Ed25519 point with bad_key', () => {
    // The identity point (0, 1) has small order.
    const smallOrder = new Uint8Array(32);
    smallOrder[0] = 1;
    expect(() => identityX25519PublicKey(smallOrder)).toThrowError(
      expect.objectContaining({ code: 'bad_key' }),
    );
    expect(() => identityX25519PublicKey(new Uint8Array(31))).toThrowError(
      expect.objectContaining({ code: 'bad_key' }),
    );
  });

  it('[PRIM4] key pairs come from WebCrypto, not libsodium randombytes', () => {
    const webcrypto = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const libsodium = vi.spyOn(sodium, 'randombytes_buf');
    const first = generateX25519KeyPair();
    const second = generateX25519KeyPair();
    expect(webcrypto).toHaveBeenCalled();
    expect(libsodium).not.toHaveBeenCalled();
    expect(first.secretKey).not.toEqual(second.secretKey);
  });
});
