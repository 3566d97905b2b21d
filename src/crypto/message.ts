import { readU32, writeU32 } from './bytes';
import { E2eError } from './errors';
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from './primitives';
import type { X3dhHeader } from './x3dh';

/**
 * The binary message format (MSG1–MSG4 in docs/protocol/crypto.md). All integers are
 * unsigned 32-bit big-endian.
 *
 *   ratchet message  0x01 │ ratchetKey 32 │ pn 4 │ n 4 │ nonce 24 │ ciphertext ‖ tag 16
 *   prekey message   0x02 │ identityKey 32 │ baseKey 32 │ spkId 4 │ hasOtpk 1 │ otpkId 4
 *                         │ ratchetKey 32 │ pn 4 │ n 4 │ nonce 24 │ ciphertext ‖ tag 16
 *
 * The header is everything before the nonce; it is authenticated as associated data.
 */

export const TYPE_RATCHET = 0x01;
export const TYPE_PREKEY = 0x02;
export const RATCHET_HEADER_BYTES = 1 + 32 + 4 + 4;
export const PREKEY_HEADER_BYTES = 1 + 32 + 32 + 4 + 1 + 4 + 32 + 4 + 4;
/** Largest message number or chain length a header can carry. */
export const MAX_COUNTER = 0xffff_ffff;

export interface RatchetHeader {
  readonly ratchetKey: Uint8Array;
  /** PN: messages in the sender's previous sending chain. */
  readonly previousChainLength: number;
  /** N: this message's number in its sending chain. */
  readonly messageNumber: number;
}

export interface ParsedMessage {
  readonly prekey: X3dhHeader | null;
  readonly header: RatchetHeader;
  /** The exact header bytes (authenticated as AD). */
  readonly headerBytes: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Writes a header into a fresh buffer with room for nonce and ciphertext after it. */
export function encodeHeader(prekey: X3dhHeader | null, header: RatchetHeader, extra: number): Uint8Array {
  const headerLength = prekey ? PREKEY_HEADER_BYTES : RATCHET_HEADER_BYTES;
  const out = new Uint8Array(headerLength + extra);
  let offset = 1;
  if (prekey) {
    out[0] = TYPE_PREKEY;
    out.set(prekey.identityKey, 1);
    out.set(prekey.baseKey, 33);
    writeU32(out, 65, prekey.signedPrekeyId);
    out[69] = prekey.oneTimePrekeyId === undefined ? 0 : 1;
    writeU32(out, 70, prekey.oneTimePrekeyId ?? 0);
    offset = 74;
  } else {
    out[0] = TYPE_RATCHET;
  }
  out.set(header.ratchetKey, offset);
  writeU32(out, offset + 32, header.previousChainLength);
  writeU32(out, offset + 36, header.messageNumber);
  return out;
}

const malformed = (why: string) =>
  new E2eError('malformed_message', `not a Parley message (${why}): drop it`);

export function parseMessage(bytes: Uint8Array): ParsedMessage {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw malformed('empty');
  const type = bytes[0];
  if (type !== TYPE_RATCHET && type !== TYPE_PREKEY) throw malformed('unknown type or version');
  const headerLength = type === TYPE_PREKEY ? PREKEY_HEADER_BYTES : RATCHET_HEADER_BYTES;
  if (bytes.length < headerLength + AEAD_NONCE_BYTES + AEAD_TAG_BYTES) throw malformed('too short');
  let prekey: X3dhHeader | null = null;
  let offset = 1;
  if (type === TYPE_PREKEY) {
    const hasOneTime = bytes[69];
    if (hasOneTime !== 0 && hasOneTime !== 1) throw malformed('bad one-time prekey flag');
    const oneTimeId = readU32(bytes, 70);
    if (hasOneTime === 0 && oneTimeId !== 0) throw malformed('one-time prekey id without flag');
    prekey = {
      identityKey: bytes.slice(1, 33),
      baseKey: bytes.slice(33, 65),
      signedPrekeyId: readU32(bytes, 65),
      ...(hasOneTime === 1 ? { oneTimePrekeyId: oneTimeId } : {}),
    };
    offset = 74;
  }
  return {
    prekey,
    header: {
      ratchetKey: bytes.slice(offset, offset + 32),
      previousChainLength: readU32(bytes, offset + 32),
      messageNumber: readU32(bytes, offset + 36),
    },
    headerBytes: bytes.subarray(0, headerLength),
    nonce: bytes.subarray(headerLength, headerLength + AEAD_NONCE_BYTES),
    ciphertext: bytes.subarray(headerLength + AEAD_NONCE_BYTES),
  };
}
