import { compareBytes, equalBytes, toBase64Url } from './bytes';
import { E2eError } from './errors';
import type { Identity } from './identity';
import { encodeHeader, parseMessage, type ParsedMessage } from './message';
import type { PrekeyBundle } from './prekey-bundle';
import {
  DEFAULT_PREKEY_POLICY,
  takePrekeySecrets,
  type PrekeyPolicy,
  type PrekeyState,
} from './prekey-lifecycle';
import { aeadDecrypt, aeadEncrypt, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from './primitives';
import { fillPublicRandom, type RandomBytes } from './random';
import {
  initRatchetAsInitiator,
  initRatchetAsResponder,
  ratchetReceive,
  ratchetSend,
  type RatchetState,
} from './ratchet';
import { x3dhInitiate, x3dhRespond, type X3dhHeader } from './x3dh';

/**
 * An end-to-end session with one peer agent. Immutable: `encrypt` and `decrypt` return a new
 * session and leave the one passed in untouched. Always replace your stored session with the
 * returned one, and persist it before acknowledging the message (receive) or handing the
 * message to the network (send): an old session reused for sending repeats message numbers,
 * which the peer refuses as replays. Serialise with `sessionToJson`.
 */
export interface Session {
  readonly v: 1;
  readonly role: 'initiator' | 'responder';
  readonly localAgentId: string;
  readonly remoteAgentId: string;
  /** EK_A: the initiator's ephemeral key; names this set-up on both sides. */
  readonly baseKey: Uint8Array;
  /** [X3DH3] IK_initiator ‖ IK_responder, the prefix of every message's associated data. */
  readonly associatedData: Uint8Array;
  /** [X3DH4] Initiator only, until the first reply: the X3DH header sent with every message. */
  readonly pendingPrekey: X3dhHeader | null;
  readonly ratchet: RatchetState;
}

/** A copy with a new ratchet state, spelled out so sessions keep one object shape (hot path). */
function withRatchet(session: Session, pendingPrekey: X3dhHeader | null, ratchet: RatchetState): Session {
  return {
    v: 1,
    role: session.role,
    localAgentId: session.localAgentId,
    remoteAgentId: session.remoteAgentId,
    baseKey: session.baseKey,
    associatedData: session.associatedData,
    pendingPrekey,
    ratchet,
  };
}

export interface SessionOptions {
  /** Randomness for the ephemeral key (tests); WebCrypto by default. */
  readonly random?: RandomBytes;
}

/**
 * [X3DH1] Starts a session with an agent that may be offline, from its prekey bundle (get it
 * with `parsePrekeyBundle(json, agentIdYouAskedFor)` from the relay's JSON). Throws
 * `bad_signature` if the signed prekey is not signed by the bundle's identity, `bad_bundle` if
 * the bundle's agent id and identity key differ. Nothing is sent yet: the first `encrypt`
 * makes the initial (prekey) message; until a reply arrives every message carries the X3DH
 * header (X3DH4).
 */
export function createSessionAsInitiator(
  me: Identity,
  bundle: PrekeyBundle,
  options: SessionOptions = {},
): { session: Session } {
  const x3dh = x3dhInitiate(me, bundle, options.random);
  return {
    session: {
      v: 1,
      role: 'initiator',
      localAgentId: me.agentId,
      remoteAgentId: bundle.agentId,
      baseKey: x3dh.header.baseKey,
      associatedData: x3dh.associatedData,
      pendingPrekey: x3dh.header,
      ratchet: initRatchetAsInitiator(x3dh.sharedSecret, bundle.signedPrekey.publicKey),
    },
  };
}

/**
 * The AEAD associated data, [MSG2]: IK_initiator ‖ IK_responder ‖ header ‖ caller AD. Built in
 * one reused scratch buffer: libsodium copies its inputs before returning, and a fresh array of
 * more than 64 bytes is an off-heap allocation that costs about as much as a hash call here.
 */
let adScratch = new Uint8Array(512);
function fullAd(session: Session, headerBytes: Uint8Array, ad: Uint8Array | undefined): Uint8Array {
  const prefix = session.associatedData;
  const length = prefix.length + headerBytes.length + (ad?.length ?? 0);
  if (length > adScratch.length) adScratch = new Uint8Array(Math.max(length, adScratch.length * 2));
  adScratch.set(prefix);
  adScratch.set(headerBytes, prefix.length);
  if (ad) adScratch.set(ad, prefix.length + headerBytes.length);
  return adScratch.subarray(0, length);
}

/**
 * [RAT2][MSG1] Encrypts one message. `ad` is optional caller data bound to the message (the
 * receiver must pass the same bytes to `decrypt`); it is not sent.
 */
export function encrypt(
  session: Session,
  plaintext: Uint8Array,
  ad?: Uint8Array,
): { session: Session; message: Uint8Array } {
  const step = ratchetSend(session.ratchet);
  const sealedLength = plaintext.length + AEAD_TAG_BYTES;
  const out = encodeHeader(session.pendingPrekey, step.header, AEAD_NONCE_BYTES + sealedLength);
  const headerLength = out.length - AEAD_NONCE_BYTES - sealedLength;
  // [MSG3] A random nonce, although each key is used once: if a crash rolls the state back
  // and a message key is used again, two messages still never share key and nonce.
  fillPublicRandom(out, headerLength, AEAD_NONCE_BYTES);
  const nonce = out.subarray(headerLength, headerLength + AEAD_NONCE_BYTES);
  const sealed = aeadEncrypt(
    step.messageKey,
    nonce,
    plaintext,
    fullAd(session, out.subarray(0, headerLength), ad),
  );
  out.set(sealed, headerLength + AEAD_NONCE_BYTES);
  return { session: withRatchet(session, session.pendingPrekey, step.state), message: out };
}

function decryptParsed(session: Session, parsed: ParsedMessage, ad: Uint8Array | undefined) {
  const step = ratchetReceive(session.ratchet, parsed.header);
  const plaintext = aeadDecrypt(
    step.messageKey,
    parsed.nonce,
    parsed.ciphertext,
    fullAd(session, parsed.headerBytes, ad),
  );
  // [X3DH4] Any authenticated reply proves the responder has the session: stop sending X3DH.
  return { session: withRatchet(session, null, step.state), plaintext };
}

/**
 * [RAT3]–[RAT7] Decrypts one message. On any error (`malformed_message`, `decrypt_failed`,
 * `replay`, `too_many_skipped`, `session_mismatch`, `low_order_point`) nothing changes: keep
 * using the session you passed in. A prekey message from a different set-up than this
 * session's throws `session_mismatch`: hand it to `acceptSessionAsResponder` (or use
 * `receiveMessage`, which routes it).
 */
export function decrypt(
  session: Session,
  message: Uint8Array,
  ad?: Uint8Array,
): { session: Session; plaintext: Uint8Array } {
  const parsed = parseMessage(message);
  if (parsed.prekey) {
    const sameSetUp =
      session.role === 'responder' &&
      equalBytes(parsed.prekey.baseKey, session.baseKey) &&
      toBase64Url(parsed.prekey.identityKey) === session.remoteAgentId;
    if (!sameSetUp) {
      throw new E2eError(
        'session_mismatch',
        'this prekey message starts another session: accept it as a new session',
      );
    }
  }
  return decryptParsed(session, parsed, ad);
}

/**
 * [X3DH2] Accepts an initial (prekey) message: computes the X3DH secret from the owner's
 * prekey secrets, decrypts the message, and returns the session, the plaintext and the prekey
 * state with the one-time prekey deleted (persist both before acknowledging). Throws
 * `unknown_prekey` (one-time prekey already used or unknown signed prekey), `replay` (this
 * set-up was already accepted), `decrypt_failed`, `malformed_message`, `session_mismatch`
 * (not a prekey message). On error the prekey state is unchanged.
 */
export function acceptSessionAsResponder(
  me: Identity,
  prekeys: PrekeyState,
  message: Uint8Array,
  options: { readonly ad?: Uint8Array; readonly policy?: PrekeyPolicy } = {},
): { session: Session; plaintext: Uint8Array; prekeys: PrekeyState; remoteAgentId: string } {
  const parsed = parseMessage(message);
  const header = parsed.prekey;
  if (!header)
    throw new E2eError('session_mismatch', 'not an initial message: there is no session to decrypt it with');
  if (prekeys.agentId !== me.agentId)
    throw new E2eError('bad_state', 'these prekeys belong to another identity');
  const taken = takePrekeySecrets(
    prekeys,
    {
      signedPrekeyId: header.signedPrekeyId,
      baseKey: header.baseKey,
      ...(header.oneTimePrekeyId !== undefined ? { oneTimePrekeyId: header.oneTimePrekeyId } : {}),
    },
    options.policy ?? DEFAULT_PREKEY_POLICY,
  );
  const x3dh = x3dhRespond(me, taken, header);
  const remoteAgentId = toBase64Url(header.identityKey);
  const fresh: Session = {
    v: 1,
    role: 'responder',
    localAgentId: me.agentId,
    remoteAgentId,
    baseKey: header.baseKey,
    associatedData: x3dh.associatedData,
    pendingPrekey: null,
    ratchet: initRatchetAsResponder(x3dh.sharedSecret, taken.signedPrekey),
  };
  const { session, plaintext } = decryptParsed(fresh, parsed, options.ad);
  return { session, plaintext, prekeys: taken.state, remoteAgentId };
}

export type MessageInfo =
  | { readonly kind: 'prekey'; readonly senderAgentId: string; readonly baseKey: string }
  | { readonly kind: 'ratchet' };

/** [MSG4] Reads the unauthenticated routing facts of a message (for choosing a session only). */
export function inspectMessage(message: Uint8Array): MessageInfo {
  const parsed = parseMessage(message);
  return parsed.prekey
    ? {
        kind: 'prekey',
        senderAgentId: toBase64Url(parsed.prekey.identityKey),
        baseKey: toBase64Url(parsed.prekey.baseKey),
      }
    : { kind: 'ratchet' };
}

/**
 * The one call for incoming messages: pass the sender's session (or undefined if there is
 * none yet). Decrypts with `session` when the message belongs to it,
 * or sets up a new session from a prekey message that starts another one (then `prekeys`
 * changes and `newSession` is true: the new session replaces the old one). Persist `session`
 * and `prekeys` before acknowledging. Throws as `decrypt` / `acceptSessionAsResponder`.
 */
export function receiveMessage(input: {
  readonly me: Identity;
  /** The sender's agent id as the relay authenticated it; the session and message must agree. */
  readonly from: string;
  readonly prekeys: PrekeyState;
  readonly session: Session | undefined;
  readonly message: Uint8Array;
  readonly ad?: Uint8Array;
  readonly policy?: PrekeyPolicy;
}): { session: Session; plaintext: Uint8Array; prekeys: PrekeyState; newSession: boolean } {
  const { session, message } = input;
  const info = inspectMessage(message);
  if (session && session.remoteAgentId !== input.from) {
    throw new E2eError(
      'session_mismatch',
      'the session passed belongs to another agent: load the session of the sender',
    );
  }
  if (info.kind === 'prekey' && info.senderAgentId !== input.from) {
    throw new E2eError(
      'session_mismatch',
      'the message names another sender than the one that sent it: drop it',
    );
  }
  const isOtherSetUp =
    info.kind === 'prekey' &&
    (!session || session.role !== 'responder' || toBase64Url(session.baseKey) !== info.baseKey);
  if (!isOtherSetUp) {
    if (!session)
      throw new E2eError('session_mismatch', 'no session with this peer: ask it to start a new one');
    return { ...decrypt(session, message, input.ad), prekeys: input.prekeys, newSession: false };
  }
  const accepted = acceptSessionAsResponder(input.me, input.prekeys, message, {
    ...(input.ad ? { ad: input.ad } : {}),
    ...(input.policy ? { policy: input.policy } : {}),
  });
  // [SES2] Both agents started a session at once: the set-up with the smaller base key wins
  // on both sides, so they converge. The losing set-up's first message is still delivered.
  if (
    session?.role === 'initiator' &&
    session.pendingPrekey !== null &&
    session.remoteAgentId === accepted.remoteAgentId &&
    compareBytes(session.baseKey, accepted.session.baseKey) < 0
  ) {
    return { session, plaintext: accepted.plaintext, prekeys: accepted.prekeys, newSession: false };
  }
  return {
    session: accepted.session,
    plaintext: accepted.plaintext,
    prekeys: accepted.prekeys,
    newSession: true,
  };
}
