import { constantTimeEqual, fromBase64Url, toBase64Url, utf8 } from './bytes';
import { publicKeyOf } from './identity';
import { sodiumSync } from './sodium';

/**
 * Safety numbers (SAF1–SAF4): what two people compare, out loud or by QR, to know that no one
 * sits between their agents. Modelled on Signal's: each identity gets a 30-digit fingerprint
 * from an iterated hash (the iterations make finding a key with a chosen fingerprint costly),
 * and the two halves are put in a fixed order so both people see the same 60 digits.
 */

const LABEL = utf8('Parley/SafetyNumber/v1');
/** [SAF1] Hash iterations per fingerprint (as Signal). */
export const SAFETY_ITERATIONS = 5200;
const QR_PREFIX = 'parley-safety:1:';

/** [SAF1] h0 = BLAKE2b-512(key = label, IK); h(i+1) = BLAKE2b-512(h(i) ‖ IK). */
function fingerprintHash(agentId: string): Uint8Array {
  const sodium = sodiumSync();
  const identityKey = publicKeyOf(agentId);
  let hash = sodium.crypto_generichash(64, identityKey, LABEL);
  const input = new Uint8Array(64 + identityKey.length);
  input.set(identityKey, 64);
  for (let i = 0; i < SAFETY_ITERATIONS; i++) {
    input.set(hash);
    hash = sodium.crypto_generichash(64, input, null);
  }
  return hash;
}

/** [SAF2] Six 5-digit groups: each 5 bytes as a big-endian 40-bit integer mod 100000. */
function digitsOf(hash: Uint8Array): string {
  let out = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + hash[chunk * 5 + i]!;
    out += String(value % 100_000).padStart(5, '0');
  }
  return out;
}

export interface SafetyNumber {
  /** 60 digits, identical on both sides. */
  readonly digits: string;
  /** The digits in 12 groups of 5, for display. */
  readonly groups: readonly string[];
  /** [SAF3] What this side shows as a QR code; the other side checks it with `compareSafetyQr`. */
  readonly qrPayload: string;
}

/** [SAF2] The safety number between two agents (order-independent digits). */
export function safetyNumber(localAgentId: string, remoteAgentId: string): SafetyNumber {
  const local = fingerprintHash(localAgentId);
  const remote = fingerprintHash(remoteAgentId);
  const halves = [digitsOf(local), digitsOf(remote)].sort();
  const digits = halves.join('');
  return {
    digits,
    groups: digits.match(/\d{5}/g) ?? [],
    qrPayload: `${QR_PREFIX}${toBase64Url(local.subarray(0, 32))}:${toBase64Url(remote.subarray(0, 32))}`,
  };
}

export type SafetyQrResult = 'match' | 'mismatch' | 'not_a_safety_code';

/**
 * [SAF4] Checks a scanned QR payload against our view: it matches when the scanner's peer
 * showed (their key, our key) exactly as we computed them, in that direction.
 */
export function compareSafetyQr(
  localAgentId: string,
  remoteAgentId: string,
  scanned: string,
): SafetyQrResult {
  if (!scanned.startsWith(QR_PREFIX)) return 'not_a_safety_code';
  const parts = scanned.slice(QR_PREFIX.length).split(':');
  if (parts.length !== 2) return 'not_a_safety_code';
  let theirs: Uint8Array;
  let ours: Uint8Array;
  try {
    theirs = fromBase64Url(parts[0]!);
    ours = fromBase64Url(parts[1]!);
  } catch {
    // Not base64url: what the person scanned is not one of our codes, which is the answer.
    return 'not_a_safety_code';
  }
  if (theirs.length !== 32 || ours.length !== 32) return 'not_a_safety_code';
  const expected = safetyNumber(remoteAgentId, localAgentId).qrPayload;
  return constantTimeEqual(scanned, expected) ? 'match' : 'mismatch';
}
