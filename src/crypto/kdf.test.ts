import { beforeAll, describe, expect, it } from 'vitest';
import { kdfChain, kdfRoot, kdfX3dh } from './kdf';
import { loadSodium, type Sodium } from './sodium';
import { seededRandom } from './test-support';

let sodium: Sodium;
beforeAll(async () => {
  sodium = await loadSodium();
});

const ascii = (text: string) => new TextEncoder().encode(text);

/** Each test recomputes the formula of docs/protocol/crypto.md with libsodium directly. */
describe('key derivation', () => {
  it('[KDF1] SK = BLAKE2b-256(key = "Parley/X3DH/v1/SK", 0xFF×32 ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4])', () => {
    const random = seededRandom(21);
    const dhs = [random(32), random(32), random(32), random(32)];
    const input = new Uint8Array(32 * 5);
    input.fill(0xff, 0, 32);
    dhs.forEach((dh, i) => input.set(dh, 32 * (i + 1)));
    expect(kdfX3dh(dhs)).toEqual(sodium.crypto_generichash(32, input, ascii('Parley/X3DH/v1/SK')));
    expect(kdfX3dh(dhs.slice(0, 3))).toEqual(
      sodium.crypto_generichash(32, input.subarray(0, 128), ascii('Parley/X3DH/v1/SK')),
    );
    expect(kdfX3dh(dhs.slice(0, 3))).not.toEqual(kdfX3dh(dhs));
  });

  it('[KDF2] RK′ ‖ CK = BLAKE2b-512(key = RK, "Parley/Ratchet/v1/Root" ‖ DH output)', () => {
    const random = seededRandom(22);
    const rootKey = random(32);
    const dh = random(32);
    const label = ascii('Parley/Ratchet/v1/Root');
    const input = new Uint8Array(label.length + 32);
    input.set(label);
    input.set(dh, label.length);
    const expected = sodium.crypto_generichash(64, input, rootKey);
    const out = kdfRoot(rootKey, dh);
    expect(out.rootKey).toEqual(expected.slice(0, 32));
    expect(out.chainKey).toEqual(expected.slice(32));
  });

  it('[KDF3] CK′ ‖ MK = BLAKE2b-512(key = CK, "Parley/Ratchet/v1/Chain"), each a separate copy', () => {
    const chainKey = seededRandom(23)(32);
    const expected = sodium.crypto_generichash(64, ascii('Parley/Ratchet/v1/Chain'), chainKey);
    const out = kdfChain(chainKey);
    expect(out.chainKey).toEqual(expected.slice(0, 32));
    expect(out.messageKey).toEqual(expected.slice(32));
    expect(out.messageKey.buffer).not.toBe(out.chainKey.buffer);
  });
});
