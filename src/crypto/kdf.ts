import { sodiumSync } from './sodium';
import { utf8 } from './bytes';

/**
 * The key derivation functions of the protocol, all keyed BLAKE2b (`crypto_generichash`):
 * BLAKE2b with a key is a PRF, and one call with a 64-byte output gives two independent
 * 32-byte keys, so each ratchet step costs one hash call (about 0.6 µs in wasm).
 * Labels are fixed ASCII strings, listed in docs/protocol/crypto.md (KDF1–KDF4).
 */

/** [KDF1] BLAKE2b key for the X3DH master secret (≥ 16 bytes, as libsodium requires of keys). */
export const LABEL_X3DH = utf8('Parley/X3DH/v1/SK');
/** [KDF2] Prefix of the root-KDF input. */
export const LABEL_ROOT = utf8('Parley/Ratchet/v1/Root');
/** [KDF3] The chain-KDF input: one constant byte string. */
export const LABEL_CHAIN = utf8('Parley/Ratchet/v1/Chain');

/** X3DH's F: 32 bytes of 0xFF, so the KDF input never starts like an X25519 output. */
const F = new Uint8Array(32).fill(0xff);

/** [KDF1] SK = BLAKE2b-256(key = LABEL_X3DH, F ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4]). */
export function kdfX3dh(dhOutputs: readonly Uint8Array[]): Uint8Array {
  const input = new Uint8Array(F.length + 32 * dhOutputs.length);
  input.set(F);
  dhOutputs.forEach((dh, i) => input.set(dh, F.length + 32 * i));
  return sodiumSync().crypto_generichash(32, input, LABEL_X3DH);
}

/** [KDF2] (RK', CK) = BLAKE2b-512(key = RK, LABEL_ROOT ‖ DH output) split in halves. */
export function kdfRoot(
  rootKey: Uint8Array,
  dhOutput: Uint8Array,
): { rootKey: Uint8Array; chainKey: Uint8Array } {
  const input = new Uint8Array(LABEL_ROOT.length + dhOutput.length);
  input.set(LABEL_ROOT);
  input.set(dhOutput, LABEL_ROOT.length);
  const out = sodiumSync().crypto_generichash(64, input, rootKey);
  return { rootKey: out.slice(0, 32), chainKey: out.slice(32, 64) };
}

/** [KDF3] (CK', MK) = BLAKE2b-512(key = CK, LABEL_CHAIN) split in halves. */
export function kdfChain(chainKey: Uint8Array): { chainKey: Uint8Array; messageKey: Uint8Array } {
  const out = sodiumSync().crypto_generichash(64, LABEL_CHAIN, chainKey);
  // Copies, not views: a stored message key must not keep the next chain key alive with it.
  return { chainKey: out.slice(0, 32), messageKey: out.slice(32, 64) };
}
