/**
 * Wycheproof AES-GCM and PBKDF2-HMAC-SHA256 vectors through the vault's own wrappers,
 * on Chromium's WebCrypto. The vectors come from the test (read from disk in Node);
 * this reports what the platform accepts and every disagreement by tcId.
 */
import { aesGcmDecrypt, aesGcmEncrypt } from '@/src/vault/aes-gcm';
import { hexToBytes } from '@/src/vault/bytes';
import { pbkdf2Sha256 } from '@/src/vault/pbkdf2';

interface GcmTest {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: string;
}
export interface GcmVectors {
  testGroups: { ivSize: number; keySize: number; tagSize: number; tests: GcmTest[] }[];
}
export interface PbkdfVectors {
  testGroups: {
    tests: {
      tcId: number;
      password: string;
      salt: string;
      iterationCount: number;
      dkLen: number;
      dk: string;
    }[];
  }[];
}

export interface WycheproofReport {
  readonly ivSizesRefused: number[];
  readonly keySizesRefused: number[];
  readonly valid: number;
  readonly invalid: number;
  /** Vectors not run because the platform refuses their IV or key size. */
  readonly notRun: number;
  /** Of those, the ones whose encryption nonetheless succeeded (must be none). */
  readonly refusedButEncrypted: number[];
  readonly mismatches: number[];
  readonly pbkdf2: number;
  readonly pbkdf2Mismatches: number[];
}

const equal = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

async function accepts(keyBytes: number, ivBytes: number): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(keyBytes), 'AES-GCM', false, ['encrypt']);
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(ivBytes) }, key, new Uint8Array(1));
    return true;
  } catch {
    // WebCrypto refused the size: that is what this probe asks.
    return false;
  }
}

export async function runWycheproof(gcm: GcmVectors, pbkdf: PbkdfVectors): Promise<WycheproofReport> {
  const ivSizes = [...new Set(gcm.testGroups.map((g) => g.ivSize))].sort((a, b) => a - b);
  const keySizes = [...new Set(gcm.testGroups.map((g) => g.keySize))].sort((a, b) => a - b);
  const ivSizesRefused: number[] = [];
  for (const bits of ivSizes) if (!(await accepts(16, bits / 8))) ivSizesRefused.push(bits);
  const keySizesRefused: number[] = [];
  for (const bits of keySizes) if (!(await accepts(bits / 8, 12))) keySizesRefused.push(bits);

  let valid = 0;
  let invalid = 0;
  let notRun = 0;
  const mismatches: number[] = [];
  const refusedButEncrypted: number[] = [];
  for (const group of gcm.testGroups.filter((g) => g.tagSize === 128)) {
    const runnable = !ivSizesRefused.includes(group.ivSize) && !keySizesRefused.includes(group.keySize);
    for (const t of group.tests) {
      const iv = hexToBytes(t.iv);
      const aad = hexToBytes(t.aad);
      const msg = hexToBytes(t.msg);
      const sealed = new Uint8Array([...hexToBytes(t.ct), ...hexToBytes(t.tag)]);
      if (!runnable) {
        notRun++;
        // A refused size must fail loudly, never produce something.
        try {
          const key = await crypto.subtle.importKey('raw', hexToBytes(t.key), 'AES-GCM', false, ['encrypt']);
          await aesGcmEncrypt(crypto, key, iv, msg, aad);
          refusedButEncrypted.push(t.tcId);
        } catch {
          // refused, as it should be
        }
        continue;
      }
      const key = await crypto.subtle.importKey('raw', hexToBytes(t.key), 'AES-GCM', false, [
        'encrypt',
        'decrypt',
      ]);
      const opened = await aesGcmDecrypt(crypto, key, iv, sealed, aad);
      if (t.result === 'valid') {
        valid++;
        const ours = new Uint8Array(await aesGcmEncrypt(crypto, key, iv, msg, aad));
        if (!equal(ours, sealed) || !equal(opened, msg)) mismatches.push(t.tcId);
      } else {
        invalid++;
        if (opened !== undefined) mismatches.push(t.tcId);
      }
    }
  }

  const pbkdfTests = pbkdf.testGroups.flatMap((g) => g.tests);
  const pbkdf2Mismatches: number[] = [];
  for (const t of pbkdfTests) {
    const dk = await pbkdf2Sha256(
      crypto,
      hexToBytes(t.password),
      hexToBytes(t.salt),
      t.iterationCount,
      t.dkLen,
    );
    if (!equal(dk, hexToBytes(t.dk))) pbkdf2Mismatches.push(t.tcId);
  }
  return {
    ivSizesRefused,
    keySizesRefused,
    valid,
    invalid,
    notRun,
    refusedButEncrypted,
    mismatches,
    pbkdf2: pbkdfTests.length,
    pbkdf2Mismatches,
  };
}
