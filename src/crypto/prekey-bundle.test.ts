import { beforeAll, describe, expect, it } from 'vitest';
import { E2eError } from './errors';
import {
  bundleFromUpload,
  parsePrekeyBundle,
  parsePrekeyUpload,
  prekeyBundleToWire,
  prekeyUploadToWire,
  signedPrekeyMessage,
  verifyPrekeyBundle,
} from './prekey-bundle';
import { createPrekeyState } from './prekey-lifecycle';
import { prekeyBundleWireSchema, prekeyUploadWireSchema } from './prekey-wire';
import { loadSodium } from './sodium';
import { identityFromSeed, seededRandom, T0 } from './test-support';

beforeAll(async () => {
  await loadSodium();
});

function upload() {
  const owner = identityFromSeed(3);
  return { owner, ...createPrekeyState(owner, { now: T0, random: seededRandom(3) }) };
}

const codeOf = (run: () => unknown) => {
  try {
    run();
    return 'no error';
  } catch (error) {
    if (error instanceof E2eError) return error.code;
    throw error;
  }
};

describe('prekey bundle wire form', () => {
  it('[PRE1] round-trips a bundle through JSON and verifies it', () => {
    const { upload: published } = upload();
    const bundle = bundleFromUpload(published, published.oneTimePrekeys[3]);
    const wire = JSON.parse(JSON.stringify(prekeyBundleToWire(bundle)));
    expect(prekeyBundleWireSchema.safeParse(wire).success).toBe(true);
    const parsed = parsePrekeyBundle(wire);
    expect(parsed.agentId).toBe(published.agentId);
    expect(parsed.signedPrekey).toEqual(published.signedPrekey);
    expect(parsed.oneTimePrekey).toEqual(published.oneTimePrekeys[3]);
  });

  it('[PRE1] accepts a bundle without a one-time prekey', () => {
    const { upload: published } = upload();
    const wire = prekeyBundleToWire({ ...bundleFromUpload(published), oneTimePrekey: undefined });
    expect('oneTimePrekey' in wire).toBe(false);
    expect(parsePrekeyBundle(wire).oneTimePrekey).toBeUndefined();
  });

  it('[PRE1] refuses malformed JSON with bad_bundle (wrong lengths, padding, extra fields, bad ids)', () => {
    const { upload: published } = upload();
    const wire = prekeyBundleToWire(bundleFromUpload(published, published.oneTimePrekeys[0]));
    const cases: unknown[] = [
      null,
      { ...wire, v: 2 },
      { ...wire, agentId: `${wire.agentId}=` },
      { ...wire, agentId: wire.agentId.slice(1) },
      { ...wire, extra: true },
      { ...wire, signedPrekey: { ...wire.signedPrekey, id: -1 } },
      { ...wire, signedPrekey: { ...wire.signedPrekey, id: 2 ** 32 } },
      { ...wire, signedPrekey: { ...wire.signedPrekey, signature: wire.signedPrekey.signature.slice(2) } },
      { ...wire, oneTimePrekey: { id: 1, publicKey: 'not base64url!' } },
    ];
    for (const json of cases) expect(codeOf(() => parsePrekeyBundle(json))).toBe('bad_bundle');
  });

  it('[PRE1] refuses a bundle for another agent than asked, or whose agent id is not its identity key', () => {
    const { upload: published } = upload();
    const bundle = bundleFromUpload(published);
    const other = identityFromSeed(4);
    expect(codeOf(() => parsePrekeyBundle(prekeyBundleToWire(bundle), other.agentId))).toBe('bad_bundle');
    expect(parsePrekeyBundle(prekeyBundleToWire(bundle), published.agentId).agentId).toBe(published.agentId);
    expect(codeOf(() => verifyPrekeyBundle({ ...bundle, agentId: other.agentId }))).toBe('bad_bundle');
  });

  it('[PRE2] refuses a bundle signed by another identity, or with another id, with bad_signature', () => {
    const { upload: published } = upload();
    const wire = prekeyBundleToWire(bundleFromUpload(published));
    const other = identityFromSeed(4);
    expect(codeOf(() => parsePrekeyBundle({ ...wire, agentId: other.agentId }))).toBe('bad_signature');
    // The id is signed too: a relay cannot relabel a signed prekey.
    expect(
      codeOf(() =>
        parsePrekeyBundle({ ...wire, signedPrekey: { ...wire.signedPrekey, id: wire.signedPrekey.id + 1 } }),
      ),
    ).toBe('bad_signature');
  });

  it('[PRE2] signs the label, the big-endian id and the key', () => {
    const key = new Uint8Array(32).fill(7);
    const message = signedPrekeyMessage(0x01020304, key);
    expect(new TextDecoder().decode(message.subarray(0, 22))).toBe('Parley/SignedPrekey/v1');
    expect([...message.subarray(22, 26)]).toEqual([1, 2, 3, 4]);
    expect(message.subarray(26)).toEqual(key);
  });

  it('[PRE3] round-trips an upload and checks its signature', () => {
    const { upload: published } = upload();
    const wire = JSON.parse(JSON.stringify(prekeyUploadToWire(published)));
    expect(prekeyUploadWireSchema.safeParse(wire).success).toBe(true);
    expect(parsePrekeyUpload(wire)).toEqual(published);
    const tampered = {
      ...wire,
      signedPrekey: { ...wire.signedPrekey, publicKey: wire.lastResortPrekey.publicKey },
    };
    expect(codeOf(() => parsePrekeyUpload(tampered))).toBe('bad_signature');
    expect(codeOf(() => parsePrekeyUpload({ ...wire, oneTimePrekeys: 'none' }))).toBe('bad_bundle');
  });
});
