export { loadSodium, sodiumSync, type Sodium } from './sodium';
export { toBase64Url, fromBase64Url, toHex, constantTimeEqual } from './bytes';
export {
  generateIdentity,
  identityFromSecretKey,
  publicKeyOf,
  sign,
  verify,
  fingerprint,
  type Identity,
} from './identity';
export { sealFor, openFrom, CryptoError } from './box';

// End-to-end sessions: X3DH set-up + Double Ratchet (docs/protocol/crypto.md).
export { E2eError, isE2eError, e2eErrorToRpc, type E2eErrorCode } from './errors';
export { secureRandomBytes, type RandomBytes } from './random';
export {
  x25519,
  x25519PublicKey,
  generateX25519KeyPair,
  ed25519Verify,
  aeadEncrypt,
  aeadDecrypt,
  identityX25519PublicKey,
  identityX25519SecretKey,
  type X25519KeyPair,
} from './primitives';
export {
  prekeyBundleWireSchema,
  prekeyUploadWireSchema,
  signedPrekeyWireSchema,
  oneTimePrekeyWireSchema,
  type PrekeyBundleWire,
  type PrekeyUploadWire,
  type SignedPrekeyWire,
  type OneTimePrekeyWire,
} from './prekey-wire';
export {
  parsePrekeyBundle,
  prekeyBundleToWire,
  parsePrekeyUpload,
  prekeyUploadToWire,
  verifyPrekeyBundle,
  bundleFromUpload,
  type PrekeyBundle,
  type PrekeyUpload,
  type SignedPrekeyPublic,
  type OneTimePrekeyPublic,
} from './prekey-bundle';
export {
  DEFAULT_PREKEY_POLICY,
  createPrekeyState,
  planPrekeyMaintenance,
  applyPrekeyMaintenance,
  maintainPrekeys,
  takePrekeySecrets,
  currentSignedPrekey,
  fullPrekeyUpload,
  parsePrekeyState,
  type PrekeyPolicy,
  type PrekeyState,
  type PrekeyOptions,
  type PrekeyMaintenancePlan,
} from './prekey-lifecycle';
export {
  createSessionAsInitiator,
  acceptSessionAsResponder,
  encrypt,
  decrypt,
  receiveMessage,
  inspectMessage,
  type Session,
  type SessionOptions,
  type MessageInfo,
} from './session';
export { sessionToJson, sessionFromJson, type SessionJson } from './session-json';
export { InMemorySessionStore, type SessionStore } from './session-store';
export { MAX_SKIP_PER_CHAIN, MAX_SKIPPED_TOTAL, MAX_CHAIN_RECORDS } from './ratchet';
export { safetyNumber, compareSafetyQr, type SafetyNumber, type SafetyQrResult } from './safety-number';
