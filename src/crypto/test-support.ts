/**
 * Helpers for this folder's tests (not exported from index.ts): deterministic identities and
 * randomness, and a ready-made pair of agents with a session.
 */
import { identityFromSecretKey, type Identity } from './identity';
import { bundleFromUpload, type PrekeyBundle } from './prekey-bundle';
import { createPrekeyState, type PrekeyState } from './prekey-lifecycle';
import type { RandomBytes } from './random';
import { acceptSessionAsResponder, createSessionAsInitiator, encrypt, type Session } from './session';
import { sodiumSync } from './sodium';

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A deterministic byte stream: BLAKE2b(seed ‖ counter). */
export function seededRandom(seed: number): RandomBytes {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 64) {
      const input = new Uint8Array(8);
      new DataView(input.buffer).setUint32(0, seed);
      new DataView(input.buffer).setUint32(4, counter++);
      const block = sodiumSync().crypto_generichash(64, input, null);
      out.set(block.subarray(0, Math.min(64, length - offset)), offset);
    }
    return out;
  };
}

export function identityFromSeed(seed: number): Identity {
  const bytes = seededRandom(seed ^ 0x5eed)(32);
  return identityFromSecretKey(sodiumSync().crypto_sign_seed_keypair(bytes).privateKey);
}

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

export interface Pair {
  readonly alice: Identity;
  readonly bob: Identity;
  readonly bobPrekeys: PrekeyState;
  readonly bundle: PrekeyBundle;
}

/** Alice holds Bob's bundle (with the first one-time prekey, or none). */
export function makePair(options: { withOneTime?: boolean; seed?: number } = {}): Pair {
  const seed = options.seed ?? 1;
  const alice = identityFromSeed(seed * 2);
  const bob = identityFromSeed(seed * 2 + 1);
  const { state, upload } = createPrekeyState(bob, { now: T0, random: seededRandom(seed) });
  const full = bundleFromUpload(upload, upload.oneTimePrekeys[0]);
  const bundle: PrekeyBundle =
    options.withOneTime === false
      ? { agentId: full.agentId, identityKey: full.identityKey, signedPrekey: full.signedPrekey }
      : full;
  return { alice, bob, bobPrekeys: state, bundle };
}

/** A set-up session: Alice's first message delivered, both sides able to send. */
export function connectedPair(options: { withOneTime?: boolean; seed?: number } = {}): Pair & {
  aliceSession: Session;
  bobSession: Session;
} {
  const pair = makePair(options);
  const started = createSessionAsInitiator(pair.alice, pair.bundle);
  const first = encrypt(started.session, text('hello'));
  const accepted = acceptSessionAsResponder(pair.bob, pair.bobPrekeys, first.message);
  return { ...pair, bobPrekeys: accepted.prekeys, aliceSession: first.session, bobSession: accepted.session };
}
