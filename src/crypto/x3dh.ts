import { concatBytes } from './bytes';
import type { Identity } from './identity';
import { kdfX3dh } from './kdf';
import { verifyPrekeyBundle, type PrekeyBundle } from './prekey-bundle';
import {
  generateX25519KeyPair,
  identityX25519PublicKey,
  identityX25519SecretKey,
  x25519,
  type X25519KeyPair,
} from './primitives';
import type { RandomBytes } from './random';

/**
 * X3DH (https://signal.org/docs/specifications/x3dh/) with the identity DH keys derived from
 * the Ed25519 identities (IDK1). Pure key agreement; session.ts builds the ratchet on top.
 */

/** What the initiator tells the responder so it can compute the same secret (X3DH2). */
export interface X3dhHeader {
  /** The initiator's Ed25519 identity key (its agent id, decoded). */
  readonly identityKey: Uint8Array;
  /** The initiator's ephemeral X25519 public key; also names the set-up ("base key"). */
  readonly baseKey: Uint8Array;
  readonly signedPrekeyId: number;
  readonly oneTimePrekeyId?: number;
}

export interface X3dhResult {
  readonly sharedSecret: Uint8Array;
  /** [X3DH3] IK_initiator ‖ IK_responder (Ed25519), bound into every message's AD. */
  readonly associatedData: Uint8Array;
}

/**
 * [X3DH1] Initiator: verifies the bundle's signature (`bad_signature`), then
 * DH1 = DH(IK_A, SPK_B), DH2 = DH(EK_A, IK_B), DH3 = DH(EK_A, SPK_B), DH4 = DH(EK_A, OPK_B).
 */
export function x3dhInitiate(
  me: Identity,
  bundle: PrekeyBundle,
  random?: RandomBytes,
): X3dhResult & { readonly header: X3dhHeader; readonly ephemeral: X25519KeyPair } {
  verifyPrekeyBundle(bundle);
  const ephemeral = generateX25519KeyPair(random);
  const identitySecret = identityX25519SecretKey(me.secretKey);
  const theirIdentity = identityX25519PublicKey(bundle.identityKey);
  const spk = bundle.signedPrekey.publicKey;
  const dhs = [
    x25519(identitySecret, spk),
    x25519(ephemeral.secretKey, theirIdentity),
    x25519(ephemeral.secretKey, spk),
  ];
  if (bundle.oneTimePrekey) dhs.push(x25519(ephemeral.secretKey, bundle.oneTimePrekey.publicKey));
  return {
    sharedSecret: kdfX3dh(dhs),
    associatedData: concatBytes(me.publicKey, bundle.identityKey),
    ephemeral,
    header: {
      identityKey: me.publicKey,
      baseKey: ephemeral.publicKey,
      signedPrekeyId: bundle.signedPrekey.id,
      ...(bundle.oneTimePrekey ? { oneTimePrekeyId: bundle.oneTimePrekey.id } : {}),
    },
  };
}

/** [X3DH1] Responder: the same four DH values from its side. */
export function x3dhRespond(
  me: Identity,
  prekeys: { readonly signedPrekey: X25519KeyPair; readonly oneTimePrekey: X25519KeyPair | undefined },
  header: X3dhHeader,
): X3dhResult {
  const identitySecret = identityX25519SecretKey(me.secretKey);
  const theirIdentity = identityX25519PublicKey(header.identityKey);
  const dhs = [
    x25519(prekeys.signedPrekey.secretKey, theirIdentity),
    x25519(identitySecret, header.baseKey),
    x25519(prekeys.signedPrekey.secretKey, header.baseKey),
  ];
  if (prekeys.oneTimePrekey) dhs.push(x25519(prekeys.oneTimePrekey.secretKey, header.baseKey));
  return { sharedSecret: kdfX3dh(dhs), associatedData: concatBytes(header.identityKey, me.publicKey) };
}
