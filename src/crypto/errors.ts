import type { ErrorShape } from '../errors';

/**
 * Every failure of the end-to-end layer (wrappers, X3DH, Double Ratchet, prekeys) is an
 * `E2eError` whose `code` says what went wrong; callers narrow on it. Messages never carry
 * key material or plaintext.
 */
export type E2eErrorCode =
  /** A key has the wrong length or is not a usable curve point. */
  | 'bad_key'
  /** An X25519 peer key of small order (the shared secret would be all zero). */
  | 'low_order_point'
  /** An AEAD nonce of the wrong length. */
  | 'bad_nonce'
  /** A prekey bundle (or other signed object) whose Ed25519 signature does not verify. */
  | 'bad_signature'
  /** A prekey bundle or upload whose JSON does not match the wire schema. */
  | 'bad_bundle'
  /** The message bytes cannot be parsed (wrong version, truncated, bad lengths). */
  | 'malformed_message'
  /** Authentication failed: the header, body, associated data or keys do not match. */
  | 'decrypt_failed'
  /** The message was already decrypted once (or is older than the kept window). */
  | 'replay'
  /** The message would need more skipped keys than the caps allow; nothing was stored. */
  | 'too_many_skipped'
  /** A prekey message names a prekey id the owner does not (or no longer) hold. */
  | 'unknown_prekey'
  /** A prekey message belongs to another session set-up than the session given. */
  | 'session_mismatch'
  /** Session or prekey state JSON that is corrupt or from an unknown version. */
  | 'bad_state';

export class E2eError extends Error {
  constructor(
    readonly code: E2eErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'E2eError';
  }
}

export const isE2eError = (error: unknown, code?: E2eErrorCode): error is E2eError =>
  error instanceof E2eError && (code === undefined || error.code === code);

const BAD_KEYS: ErrorShape = {
  code: 'session_failed',
  message:
    'Your contact’s keys could not be verified, so nothing was sent. Ask them to open Parley once, then try again.',
};
const UNREADABLE: ErrorShape = {
  code: 'session_failed',
  message:
    'A message from this contact could not be decrypted and was dropped. If it keeps happening, compare safety numbers.',
};

/** What each end-to-end failure means for the person, and what to do about it. */
const TO_RPC: Record<E2eErrorCode, ErrorShape> = {
  bad_key: BAD_KEYS,
  low_order_point: BAD_KEYS,
  bad_signature: BAD_KEYS,
  bad_bundle: BAD_KEYS,
  bad_nonce: {
    code: 'session_failed',
    message:
      'The secure channel refused to encrypt this message. Try again; if it repeats, reload the extension.',
  },
  malformed_message: UNREADABLE,
  decrypt_failed: UNREADABLE,
  replay: UNREADABLE,
  too_many_skipped: UNREADABLE,
  unknown_prekey: UNREADABLE,
  session_mismatch: UNREADABLE,
  bad_state: {
    code: 'session_failed',
    message:
      'The secure session with this contact is damaged. Remove the contact and pair again with a new invite.',
  },
};

/**
 * An E2eError (or a CryptoError from the one-shot box) → what crosses the RPC boundary; `undefined` for
 * anything that is not one. CryptoError is matched by name and code so this file needs no import of box.ts.
 */
export function e2eErrorToRpc(error: unknown): ErrorShape | undefined {
  if (isE2eError(error)) return TO_RPC[error.code];
  if (error instanceof Error && error.name === 'CryptoError') return UNREADABLE;
  return undefined;
}
