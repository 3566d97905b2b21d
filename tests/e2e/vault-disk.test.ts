import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProfileDir, removeProfileDir, unlock } from './harness';
import { ensureLabBuilt, launchLab, readTree, saveDisplayName } from './lab';

/**
 * A copy of the browser profile gives nothing away: secrets stored through the product
 * are nowhere in the extension's IndexedDB files (or its extension storage) on disk,
 * while text written in clear in the same origin is found by the same scan.
 */
const profile = makeProfileDir('vault-disk');
// Random, so no earlier run or unrelated file can produce a match; no shared substrings.
const tag = () => randomBytes(9).toString('base64url');
const secrets = {
  displayName: `Zebulon Quartermaine ${tag()}`,
  message: `Meet me by the old mill at dusk ${tag()}`,
  title: `Acquisition talks with Hooli ${tag()}`,
  token: `ya29.${tag()}${tag()}`,
  history: `the vault combination is ${tag()}`,
};
// Two-byte text is stored as UTF-16 by V8's serializer: the control covers that path too.
const canaries = [`plainly visible canary ${tag()}`, `Łódź kanarek widoczny ${tag()}`];

let extensionId = '';
let files: { file: string; bytes: Buffer }[] = [];

/** Every encoding a string can take on disk here: UTF-8, Latin-1 (V8 one-byte strings), UTF-16LE. */
function encodings(text: string): Buffer[] {
  const out = [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')];
  if ([...text].every((ch) => ch.charCodeAt(0) <= 0xff)) out.push(Buffer.from(text, 'latin1'));
  return out;
}

const foundIn = (text: string): string[] =>
  files
    .filter(({ bytes }) => encodings(text).some((needle) => bytes.includes(needle)))
    .map(({ file }) => path.relative(profile, file));

beforeAll(async () => {
  ensureLabBuilt();
  const lab = await launchLab(profile);
  extensionId = lab.extensionId;
  // Through the product's own UI: first-run passphrase, then a display name (preferences).
  const popup = await lab.open('popup');
  await unlock(popup);
  await popup.close();
  await saveDisplayName(lab, secrets.displayName);
  // Through the product's store and the vault API, in the same origin.
  const page = await lab.labPage();
  await page.evaluate((s) => globalThis.vaultLab.storeSecrets(s), secrets);
  await page.evaluate((c) => globalThis.vaultLab.writeCanaries(c), canaries);
  await lab.close();
  const base = path.join(profile, 'Default');
  files = [
    ...readTree(path.join(base, 'IndexedDB')),
    ...readTree(path.join(base, 'Local Extension Settings', extensionId)),
    ...readTree(path.join(base, 'Sync Extension Settings', extensionId)),
  ];
});

afterAll(() => removeProfileDir(profile));

describe('the vault on disk in a real Chromium profile', () => {
  it('[VLB3] the scan reads the extension origin’s IndexedDB files and finds clear text written there', () => {
    const origin = files.filter((f) => f.file.includes(`chrome-extension_${extensionId}_0.indexeddb`));
    expect(origin.length).toBeGreaterThan(0);
    for (const canary of canaries) expect(foundIn(canary), canary).not.toEqual([]);
    const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
    console.info(
      `[VLB3] scanned ${files.length} files (${bytes} bytes); canaries found in: ${canaries.map(foundIn).flat().join(', ')}`,
    );
  });

  it('[VLB3] no stored secret is on disk in clear, in any encoding', () => {
    const leaks = Object.entries(secrets).flatMap(([what, text]) =>
      foundIn(text).map((file) => `${what} in ${file}`),
    );
    expect(leaks).toEqual([]);
    // Nor any long-enough piece of them (a split record or a prefix index would show one).
    const pieces = Object.values(secrets).flatMap((t) => t.split(' ').filter((w) => w.length >= 8));
    expect(pieces.filter((p) => foundIn(p).length > 0)).toEqual([]);
  });
});
