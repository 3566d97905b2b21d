import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WycheproofReport } from '../../entrypoints/vault-lab/wycheproof';
import { makeProfileDir, removeProfileDir } from './harness';
import { ensureLabBuilt, launchLab, type LabBrowser } from './lab';

/**
 * The Wycheproof vectors of src/vault/wycheproof.test.ts, through the same wrappers,
 * on Chromium's WebCrypto (BoringSSL) instead of Node's (OpenSSL).
 */
const VECTORS = '/work/shared/vectors/crypto';
const profile = makeProfileDir('vault-wycheproof');
let lab: LabBrowser;
let report: WycheproofReport;

beforeAll(async () => {
  ensureLabBuilt();
  const gcm: unknown = JSON.parse(readFileSync(`${VECTORS}/aes_gcm_test.json`, 'utf8'));
  const pbkdf: unknown = JSON.parse(readFileSync(`${VECTORS}/pbkdf2_hmacsha256_test.json`, 'utf8'));
  lab = await launchLab(profile);
  const page = await lab.labPage();
  report = await page.evaluate(
    (g, p) => globalThis.vaultLab.wycheproof(g as never, p as never),
    gcm as never,
    pbkdf as never,
  );
});

afterAll(async () => {
  await lab?.close();
  removeProfileDir(profile);
});

describe('Wycheproof in Chromium', () => {
  it('[VLB8] AES-GCM agrees with every vector Chromium can run; refused sizes fail loudly; PBKDF2 agrees', () => {
    // Chromium refuses only the empty IV, and AES-192 keys; the vault uses 96-bit IVs and AES-256.
    expect(report.ivSizesRefused).toEqual([0]);
    expect(report.keySizesRefused).toEqual([192]);
    expect(report.mismatches).toEqual([]);
    expect(report.refusedButEncrypted).toEqual([]);
    expect(report.valid + report.invalid).toBeGreaterThan(200);
    expect(report.pbkdf2).toBe(60);
    expect(report.pbkdf2Mismatches).toEqual([]);
    console.info(
      `[VLB8] AES-GCM: ${report.valid} valid + ${report.invalid} invalid vectors agree, ${report.notRun} not run ` +
        `(IV sizes ${report.ivSizesRefused.join(', ')} bits, key sizes ${report.keySizesRefused.join(', ')} bits); ` +
        `PBKDF2: ${report.pbkdf2} vectors agree`,
    );
  });
});
