import { createPublicKey, verify } from 'node:crypto';
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
    const message = signedPrekeyMessage(signedPrekey.id, Buffer.from(signedPrekey.publicKey, 'base64url'));
    return verify(null, message, key, Buffer.from(signedPrekey.signature, 'base64url'));
  } catch {
    return false;
  }
}
