import { fromBase64Url, toBase64Url, utf8, writeU32 } from './bytes';
import { E2eError } from './errors';
import { ed25519Sign, ed25519Verify } from './primitives';
import {
  prekeyBundleWireSchema,
  prekeyUploadWireSchema,
  type OneTimePrekeyWire,
  type PrekeyBundleWire,
  type PrekeyUploadWire,
  type SignedPrekeyWire,
} from './prekey-wire';

/** A signed prekey's public half: an X25519 key signed by the owner's Ed25519 identity. */
export interface SignedPrekeyPublic {
  readonly id: number;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** A one-time (or last-resort) prekey's public half. Not signed: see PRE4. */
export interface OneTimePrekeyPublic {
  readonly id: number;
  readonly publicKey: Uint8Array;
}

/**
 * A prekey bundle in memory. Obtain one from `parsePrekeyBundle` (relay JSON → verified
 * bundle); `createSessionAsInitiator` verifies the signature again, so a hand-built bundle
 * cannot skip the check.
 */
export interface PrekeyBundle {
  /** The owner's agent id: base64url of `identityKey`. */
  readonly agentId: string;
  /** The owner's Ed25519 identity public key. */
  readonly identityKey: Uint8Array;
  readonly signedPrekey: SignedPrekeyPublic;
  readonly oneTimePrekey?: OneTimePrekeyPublic;
}

/** The prekeys an owner publishes (see PRE3). */
export interface PrekeyUpload {
  readonly agentId: string;
  readonly signedPrekey: SignedPrekeyPublic;
  readonly oneTimePrekeys: readonly OneTimePrekeyPublic[];
  readonly lastResortPrekey: OneTimePrekeyPublic;
}

const LABEL_SIGNED_PREKEY = utf8('Parley/SignedPrekey/v1');

/** [PRE2] The signed bytes: "Parley/SignedPrekey/v1" ‖ u32be(id) ‖ X25519 public key. */
export function signedPrekeyMessage(id: number, publicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(LABEL_SIGNED_PREKEY.length + 4 + publicKey.length);
  out.set(LABEL_SIGNED_PREKEY);
  writeU32(out, LABEL_SIGNED_PREKEY.length, id);
  out.set(publicKey, LABEL_SIGNED_PREKEY.length + 4);
  return out;
}

export function signPrekey(identitySecretKey: Uint8Array, id: number, publicKey: Uint8Array): Uint8Array {
  return ed25519Sign(identitySecretKey, signedPrekeyMessage(id, publicKey));
}

/** Throws `bad_signature` unless `signedPrekey` was signed by `identityKey` (PRE2). */
export function verifySignedPrekey(identityKey: Uint8Array, signedPrekey: SignedPrekeyPublic): void {
  const message = signedPrekeyMessage(signedPrekey.id, signedPrekey.publicKey);
  if (!ed25519Verify(identityKey, message, signedPrekey.signature)) {
    throw new E2eError(
      'bad_signature',
      "the signed prekey is not signed by the agent's identity key: do not start a session with this bundle",
    );
  }
}

/**
 * Checks an in-memory bundle: its agent id must be its identity key (`bad_bundle`, else a
 * session could be labelled with one agent and keyed to another) and the signed prekey must
 * be signed by it (`bad_signature`). Returns the bundle for chaining.
 */
export function verifyPrekeyBundle(bundle: PrekeyBundle): PrekeyBundle {
  if (toBase64Url(bundle.identityKey) !== bundle.agentId) {
    throw new E2eError('bad_bundle', "the bundle's agent id is not its identity key: do not use this bundle");
  }
  verifySignedPrekey(bundle.identityKey, bundle.signedPrekey);
  return bundle;
}

const signedFromWire = (wire: SignedPrekeyWire): SignedPrekeyPublic => ({
  id: wire.id,
  publicKey: fromBase64Url(wire.publicKey),
  signature: fromBase64Url(wire.signature),
});
const oneTimeFromWire = (wire: OneTimePrekeyWire): OneTimePrekeyPublic => ({
  id: wire.id,
  publicKey: fromBase64Url(wire.publicKey),
});
const signedToWire = (key: SignedPrekeyPublic): SignedPrekeyWire => ({
  id: key.id,
  publicKey: toBase64Url(key.publicKey),
  signature: toBase64Url(key.signature),
});
const oneTimeToWire = (key: OneTimePrekeyPublic): OneTimePrekeyWire => ({
  id: key.id,
  publicKey: toBase64Url(key.publicKey),
});

/**
 * Relay JSON → verified bundle. Throws `bad_bundle` when the JSON does not match
 * `prekeyBundleWireSchema` or is not the bundle of `expectedAgentId` (pass the agent you
 * asked the relay for), `bad_signature` when the signed prekey's signature is wrong.
 */
export function parsePrekeyBundle(json: unknown, expectedAgentId?: string): PrekeyBundle {
  const parsed = prekeyBundleWireSchema.safeParse(json);
  if (!parsed.success) {
    throw new E2eError(
      'bad_bundle',
      `the prekey bundle does not match its schema: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  const wire = parsed.data;
  if (expectedAgentId !== undefined && wire.agentId !== expectedAgentId) {
    throw new E2eError('bad_bundle', 'the relay answered with the bundle of another agent: do not use it');
  }
  const bundle: PrekeyBundle = {
    agentId: wire.agentId,
    identityKey: fromBase64Url(wire.agentId),
    signedPrekey: signedFromWire(wire.signedPrekey),
    ...(wire.oneTimePrekey ? { oneTimePrekey: oneTimeFromWire(wire.oneTimePrekey) } : {}),
  };
  return verifyPrekeyBundle(bundle);
}

export function prekeyBundleToWire(bundle: PrekeyBundle): PrekeyBundleWire {
  return {
    v: 1,
    agentId: bundle.agentId,
    signedPrekey: signedToWire(bundle.signedPrekey),
    ...(bundle.oneTimePrekey ? { oneTimePrekey: oneTimeToWire(bundle.oneTimePrekey) } : {}),
  };
}

export function prekeyUploadToWire(upload: PrekeyUpload): PrekeyUploadWire {
  return {
    v: 1,
    agentId: upload.agentId,
    signedPrekey: signedToWire(upload.signedPrekey),
    oneTimePrekeys: upload.oneTimePrekeys.map(oneTimeToWire),
    lastResortPrekey: oneTimeToWire(upload.lastResortPrekey),
  };
}

/**
 * Upload JSON → verified upload (what a relay should run before storing, if it can use
 * libsodium; the schema alone is in prekey-wire.ts). Same errors as `parsePrekeyBundle`.
 */
export function parsePrekeyUpload(json: unknown): PrekeyUpload {
  const parsed = prekeyUploadWireSchema.safeParse(json);
  if (!parsed.success) {
    throw new E2eError(
      'bad_bundle',
      `the prekey upload does not match its schema: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  const wire = parsed.data;
  const upload: PrekeyUpload = {
    agentId: wire.agentId,
    signedPrekey: signedFromWire(wire.signedPrekey),
    oneTimePrekeys: wire.oneTimePrekeys.map(oneTimeFromWire),
    lastResortPrekey: oneTimeFromWire(wire.lastResortPrekey),
  };
  verifySignedPrekey(fromBase64Url(upload.agentId), upload.signedPrekey);
  return upload;
}

/**
 * What a relay-like store serves for one fetch (used by tests and fakes; the relay has its
 * own): the signed prekey plus the given one-time prekey, or the last-resort one.
 */
export function bundleFromUpload(upload: PrekeyUpload, oneTimePrekey?: OneTimePrekeyPublic): PrekeyBundle {
  return {
    agentId: upload.agentId,
    identityKey: fromBase64Url(upload.agentId),
    signedPrekey: upload.signedPrekey,
    oneTimePrekey: oneTimePrekey ?? upload.lastResortPrekey,
  };
}
