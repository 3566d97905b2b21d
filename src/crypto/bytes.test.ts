import fc from 'fast-check';
import sodium from 'libsodium-wrappers';
import { beforeAll, describe, expect, it } from 'vitest';
import { constantTimeEqual, fromBase64Url, toBase64Url, toHex } from './bytes';

describe('byte encodings (@scure/base)', () => {
  beforeAll(() => sodium.ready);

  it('base64url and hex are byte-identical to what libsodium wrote before', () => {
    const variant = sodium.base64_variants.URLSAFE_NO_PADDING;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(toBase64Url(bytes)).toBe(sodium.to_base64(bytes, variant));
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
        expect(toHex(bytes)).toBe(sodium.to_hex(bytes));
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  it('decoding refuses what libsodium refused: padding, the other alphabet, stray bits, whitespace', () => {
    for (const bad of ['A', 'AB', 'AA==', 'A+/A', 'AA AA', 'Zh', 'Zm9']) {
      expect(() => fromBase64Url(bad)).toThrow();
    }
    expect(fromBase64Url('-_-_')).toEqual(new Uint8Array([251, 255, 191]));
  });
});

describe('constantTimeEqual', () => {
  it('is equality over bytes and over strings (as UTF-8)', () => {
    expect(constantTimeEqual('state-abc', 'state-abc')).toBe(true);
    expect(constantTimeEqual('state-abc', 'state-abd')).toBe(false);
    expect(constantTimeEqual('state', 'state-abc')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('é', new Uint8Array([0xc3, 0xa9]))).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        const same = a.length === b.length && a.every((x, i) => x === b[i]);
        expect(constantTimeEqual(a, b)).toBe(same);
        expect(constantTimeEqual(a, a.slice())).toBe(true);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
