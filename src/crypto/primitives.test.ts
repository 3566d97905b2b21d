import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { E2eError } from './errors';
import { aeadDecrypt, aeadEncrypt, ed25519Verify, x25519 } from './primitives';
import { loadSodium, type Sodium } from './sodium';

interface Vector {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}
interface VectorFile {
  numberOfTests: number;
  testGroups: { tests: Vector[]; [field: string]: unknown }[];
}

// The shared vectors sit beside the checkout (../shared/vectors/crypto from the repo root).
const VECTORS = fileURLToPath(new URL('../../../shared/vectors/crypto', import.meta.url));
const load = (name: string): VectorFile =>
  JSON.parse(readFileSync(`${VECTORS}/${name}`, 'utf8')) as VectorFile;
const cases = (file: VectorFile) =>
  file.testGroups.flatMap((group) => group.tests.map((test) => ({ group, test })));

let sodium: Sodium;
const hex = (text: unknown): Uint8Array => sodium.from_hex(text as string);
const toHex = (bytes: Uint8Array): string => sodium.to_hex(bytes);

beforeAll(async () => {
  sodium = await loadSodium();
});

describe('Wycheproof x25519_test.json through x25519()', () => {
  const file = load('x25519_test.json');
  const all = cases(file);

  it('covers every case of the file', () => {
    expect(all).toHaveLength(file.numberOfTests);
  });

  it('[PRIM1] accepts every valid case with the expected shared secret', () => {
    const valid = all.filter(({ test }) => test.result === 'valid');
    expect(valid.length).toBeGreaterThan(0);
    for (const { test } of valid) {
      expect(toHex(x25519(hex(test.private), hex(test.public))), `tcId ${test.tcId}`).toBe(test.shared);
    }
  });

  it('[PRIM1] refuses acceptable low-order cases (all-zero secret) and accepts the other acceptable ones', () => {
    const acceptable = all.filter(({ test }) => test.result === 'acceptable');
    let refused = 0;
    for (const { test } of acceptable) {
      if (test.flags.includes('ZeroSharedSecret')) {
        expect(test.shared, `tcId ${test.tcId}`).toMatch(/^0+$/);
        let error: unknown;
        try {
          x25519(hex(test.private), hex(test.public));
        } catch (caught) {
          error = caught;
        }
        expect(error, `tcId ${test.tcId}`).toBeInstanceOf(E2eError);
        expect((error as E2eError).code).toBe('low_order_point');
        refused++;
      } else {
        expect(toHex(x25519(hex(test.private), hex(test.public))), `tcId ${test.tcId}`).toBe(test.shared);
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(acceptable.length);
  });

  it('[PRIM1] refuses keys of the wrong length with bad_key', () => {
    expect(() => x25519(new Uint8Array(31), new Uint8Array(32))).toThrowError(
      expect.objectContaining({ code: 'bad_key' }),
    );
  });
});

describe('Wycheproof ed25519_test.json through ed25519Verify()', () => {
  const file = load('ed25519_test.json');
  const all = cases(file);

  it('covers every case of the file and has no acceptable cases to decide', () => {
    expect(all).toHaveLength(file.numberOfTests);
    expect(all.filter(({ test }) => test.result === 'acceptable')).toHaveLength(0);
  });

  it('[PRIM2] accepts every valid signature and rejects every invalid one', () => {
    let valid = 0;
    let invalid = 0;
    for (const { group, test } of all) {
      const publicKey = hex((group.publicKey as { pk: string }).pk);
      const ok = ed25519Verify(publicKey, hex(test.msg), hex(test.sig));
      expect(ok, `tcId ${test.tcId} ${test.comment}`).toBe(test.result === 'valid');
      if (test.result === 'valid') valid++;
      else invalid++;
    }
    expect(valid).toBeGreaterThan(0);
    expect(invalid).toBeGreaterThan(0);
  });
});

describe('Wycheproof xchacha20_poly1305_test.json through aeadEncrypt()/aeadDecrypt()', () => {
  const file = load('xchacha20_poly1305_test.json');
  const all = cases(file);

  it('covers every case of the file and has no acceptable cases to decide', () => {
    expect(all).toHaveLength(file.numberOfTests);
    expect(all.filter(({ test }) => test.result === 'acceptable')).toHaveLength(0);
  });

  it('[PRIM3] encrypts and decrypts every valid case to the expected bytes', () => {
    const valid = all.filter(({ test }) => test.result === 'valid');
    expect(valid.length).toBeGreaterThan(0);
    for (const { test } of valid) {
      const key = hex(test.key);
      const nonce = hex(test.iv);
      const ad = hex(test.aad);
      const sealed = hex(`${test.ct as string}${test.tag as string}`);
      expect(toHex(aeadEncrypt(key, nonce, hex(test.msg), ad)), `tcId ${test.tcId}`).toBe(toHex(sealed));
      expect(toHex(aeadDecrypt(key, nonce, sealed, ad)), `tcId ${test.tcId}`).toBe(test.msg);
    }
  });

  it('[PRIM3] rejects every invalid case with a typed error (bad tag → decrypt_failed, bad nonce size → bad_nonce)', () => {
    const invalid = all.filter(({ test }) => test.result === 'invalid');
    expect(invalid.length).toBeGreaterThan(0);
    for (const { test } of invalid) {
      const sealed = hex(`${test.ct as string}${test.tag as string}`);
      const expected = test.flags.includes('InvalidNonceSize') ? 'bad_nonce' : 'decrypt_failed';
      let error: unknown;
      try {
        aeadDecrypt(hex(test.key), hex(test.iv), sealed, hex(test.aad));
      } catch (caught) {
        error = caught;
      }
      expect(error, `tcId ${test.tcId}`).toBeInstanceOf(E2eError);
      expect((error as E2eError).code, `tcId ${test.tcId}`).toBe(expected);
      if (expected === 'bad_nonce') {
        expect(() => aeadEncrypt(hex(test.key), hex(test.iv), hex(test.msg), hex(test.aad))).toThrowError(
          expect.objectContaining({ code: 'bad_nonce' }),
        );
      }
    }
  });
});
