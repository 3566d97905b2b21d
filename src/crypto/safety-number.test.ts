import { beforeAll, describe, expect, it } from 'vitest';
import { compareSafetyQr, safetyNumber } from './safety-number';
import { loadSodium } from './sodium';
import { identityFromSeed } from './test-support';

beforeAll(async () => {
  await loadSodium();
});

describe('safety numbers', () => {
  const alice = identityFromSeed(10).agentId;
  const bob = identityFromSeed(11).agentId;
  const carol = identityFromSeed(12).agentId;

  it('[SAF2] is 60 digits in 12 groups of 5, identical on both sides', () => {
    const mine = safetyNumber(alice, bob);
    const theirs = safetyNumber(bob, alice);
    expect(mine.digits).toMatch(/^\d{60}$/);
    expect(mine.groups).toHaveLength(12);
    expect(mine.groups.join('')).toBe(mine.digits);
    expect(theirs.digits).toBe(mine.digits);
  });

  it('[SAF2] changes when either identity changes, and each half belongs to one identity', () => {
    const ab = safetyNumber(alice, bob).digits;
    const ac = safetyNumber(alice, carol).digits;
    expect(ac).not.toBe(ab);
    const halves = (digits: string) => [digits.slice(0, 30), digits.slice(30)];
    const shared = halves(ab).filter((half) => halves(ac).includes(half));
    expect(shared).toHaveLength(1); // Alice's fingerprint
  });

  it('[SAF3][SAF4] a QR payload shown by one side matches on the other side only', () => {
    const shownByBob = safetyNumber(bob, alice).qrPayload;
    expect(shownByBob.startsWith('parley-safety:1:')).toBe(true);
    expect(compareSafetyQr(alice, bob, shownByBob)).toBe('match');
    // Alice scanning her own code (or someone else's) is not a match.
    expect(compareSafetyQr(alice, bob, safetyNumber(alice, bob).qrPayload)).toBe('mismatch');
    expect(compareSafetyQr(alice, bob, safetyNumber(carol, alice).qrPayload)).toBe('mismatch');
    expect(compareSafetyQr(alice, bob, 'https://example.com')).toBe('not_a_safety_code');
    expect(compareSafetyQr(alice, bob, 'parley-safety:1:abc:def')).toBe('not_a_safety_code');
  });
});

describe('safety number derivation', () => {
  it('[SAF1] each half is the iterated BLAKE2b-512 fingerprint of one identity key', async () => {
    const sodium = await loadSodium();
    const alice = identityFromSeed(13);
    const bob = identityFromSeed(14);
    const expectedHalf = (key: Uint8Array) => {
      let hash = sodium.crypto_generichash(64, key, new TextEncoder().encode('Parley/SafetyNumber/v1'));
      for (let i = 0; i < 5200; i++) {
        const input = new Uint8Array(96);
        input.set(hash);
        input.set(key, 64);
        hash = sodium.crypto_generichash(64, input, null);
      }
      let digits = '';
      for (let chunk = 0; chunk < 6; chunk++) {
        const value = hash.subarray(chunk * 5, chunk * 5 + 5).reduce((acc, byte) => acc * 256 + byte, 0);
        digits += String(value % 100000).padStart(5, '0');
      }
      return digits;
    };
    const halves = [expectedHalf(alice.publicKey), expectedHalf(bob.publicKey)].sort();
    expect(safetyNumber(alice.agentId, bob.agentId).digits).toBe(halves.join(''));
  });
});
