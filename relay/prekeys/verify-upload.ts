import { createPublicKey, verify } from 'node:crypto';
import { base64urlnopad } from '@scure/base';
import type { SignedPrekeyWire } from '../protocol';

const LABEL = Buffer.from('Parley/SignedPrekey/v1', 'utf8');

/** [PRE2] The signed bytes: "Parley/SignedPrekey/v1" ‖ u32be(id) ‖ X25519 public key. */
export function signedPrekeyMessage(id: number, publicKey: Uint8Array): Buffer {
  const idBytes = Buffer.alloc(4);
  idBytes.writeUInt32BE(id);
  return Buffer.concat([LABEL, idBytes, publicKey]);
}

/** True when `agentId` (base64url Ed25519 public key) signed this signed prekey (PRK1). */
export function signedPrekeyIsValid(agentId: string, signedPrekey: SignedPrekeyWire): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: agentId }, format: 'jwk' });
    const message = signedPrekeyMessage(signedPrekey.id, base64urlnopad.decode(signedPrekey.publicKey));
    return verify(null, message, key, base64urlnopad.decode(signedPrekey.signature));
  } catch {
    // An agent id that is not an Ed25519 key, or bytes not in canonical base64url: not validly signed.
    return false;
  }
}
