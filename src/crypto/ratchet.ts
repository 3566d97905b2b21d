import { equalBytes } from './bytes';
import { E2eError } from './errors';
import { kdfChain, kdfRoot } from './kdf';
import { MAX_COUNTER, type RatchetHeader } from './message';
import { generateX25519KeyPair, x25519, type X25519KeyPair } from './primitives';

/**
 * The Double Ratchet (https://signal.org/docs/specifications/doubleratchet/) as pure functions
 * over an immutable state: every step returns a new state and never mutates its input, so a
 * failed decryption leaves the caller's state exactly as it was (RAT7) and the caller decides
 * when the new state is persisted.
 *
 *        receive header with a new ratchet key            send
 *   ┌──────────────────────────────────────────┐   ┌───────────────┐
 *   │ skip rest of recv chain (≤ 1000, to PN)  │   │ CKs → CKs', MK │
 *   │ RK,CKr = KDF_RK(RK, DH(DHs, DHr'))       │   │ Ns += 1        │
 *   │ DHs = new key; PN = Ns; Ns = Nr = 0      │   └───────────────┘
 *   │ RK,CKs = KDF_RK(RK, DH(DHs', DHr'))      │
 *   └──────────────────────────────────────────┘
 *   then skip recv chain to N (≤ 1000), CKr → CKr', MK, decrypt, commit.
 */

/** [RAT5] Most message keys one message may make us skip in one chain. */
export const MAX_SKIP_PER_CHAIN = 1000;
/** [RAT5] Most skipped message keys kept in total; the oldest are dropped beyond it. */
export const MAX_SKIPPED_TOTAL = 2000;
/** [RAT6] How many past receiving chains are remembered to recognise replays. */
export const MAX_CHAIN_RECORDS = 32;

export interface ChainState {
  readonly key: Uint8Array;
  /** The number of the next message in this chain. */
  readonly n: number;
}

/** Keys skipped in one receiving chain (possibly none left, kept to detect replays). */
export interface SkippedChain {
  readonly ratchetKey: Uint8Array;
  readonly keys: ReadonlyMap<number, Uint8Array>;
}

export interface RatchetState {
  readonly rootKey: Uint8Array;
  /** DHs: our current ratchet key pair. */
  readonly self: X25519KeyPair;
  /** DHr: the peer's current ratchet public key; null until the responder's first message. */
  readonly remote: Uint8Array | null;
  readonly send: ChainState | null;
  readonly recv: ChainState | null;
  /** PN: length of our previous sending chain. */
  readonly previousSendCount: number;
  /** Oldest chain first; within a chain, keys in increasing message number. */
  readonly skipped: readonly SkippedChain[];
}

/**
 * Copies a state with some fields replaced. Spelled out rather than spread so every state has
 * one object shape and the per-message path stays monomorphic in V8.
 */
function withChanges(state: RatchetState, changes: Partial<RatchetState>): RatchetState {
  return {
    rootKey: changes.rootKey ?? state.rootKey,
    self: changes.self ?? state.self,
    remote: changes.remote !== undefined ? changes.remote : state.remote,
    send: changes.send !== undefined ? changes.send : state.send,
    recv: changes.recv !== undefined ? changes.recv : state.recv,
    previousSendCount: changes.previousSendCount ?? state.previousSendCount,
    skipped: changes.skipped ?? state.skipped,
  };
}

/** [RAT1] The initiator: RK, CKs = KDF_RK(SK, DH(DHs, SPK_B)). */
export function initRatchetAsInitiator(
  sharedSecret: Uint8Array,
  remoteSignedPrekey: Uint8Array,
): RatchetState {
  const self = generateX25519KeyPair();
  const { rootKey, chainKey } = kdfRoot(sharedSecret, x25519(self.secretKey, remoteSignedPrekey));
  return {
    rootKey,
    self,
    remote: remoteSignedPrekey,
    send: { key: chainKey, n: 0 },
    recv: null,
    previousSendCount: 0,
    skipped: [],
  };
}

/** [RAT1] The responder: its signed prekey is its first ratchet key; chains start on the first message. */
export function initRatchetAsResponder(sharedSecret: Uint8Array, signedPrekey: X25519KeyPair): RatchetState {
  return {
    rootKey: sharedSecret,
    self: signedPrekey,
    remote: null,
    send: null,
    recv: null,
    previousSendCount: 0,
    skipped: [],
  };
}

export interface SendStep {
  readonly state: RatchetState;
  readonly header: RatchetHeader;
  readonly messageKey: Uint8Array;
}

/** [RAT2] One symmetric step of the sending chain. */
export function ratchetSend(state: RatchetState): SendStep {
  const send = state.send;
  if (!send) throw new E2eError('bad_state', 'this session cannot send before it has received a message');
  if (send.n >= MAX_COUNTER) throw new E2eError('bad_state', 'sending chain exhausted: start a new session');
  const { chainKey, messageKey } = kdfChain(send.key);
  return {
    state: withChanges(state, { send: { key: chainKey, n: send.n + 1 } }),
    header: {
      ratchetKey: state.self.publicKey,
      previousChainLength: state.previousSendCount,
      messageNumber: send.n,
    },
    messageKey,
  };
}

export const skippedKeyCount = (state: RatchetState): number =>
  state.skipped.reduce((total, chain) => total + chain.keys.size, 0);

interface PendingSkip {
  readonly ratchetKey: Uint8Array;
  readonly n: number;
  readonly key: Uint8Array;
}

/** Derives the keys of messages [chain.n, until) into `pending`; refuses a jump over the cap. */
function skipTo(
  chain: ChainState,
  ratchetKey: Uint8Array,
  until: number,
  pending: PendingSkip[],
): ChainState {
  if (until <= chain.n) return chain;
  if (until - chain.n > MAX_SKIP_PER_CHAIN) {
    throw new E2eError(
      'too_many_skipped',
      `the message is ${until - chain.n} messages ahead of its chain (at most ${MAX_SKIP_PER_CHAIN}): drop it`,
    );
  }
  let key = chain.key;
  for (let n = chain.n; n < until; n++) {
    const step = kdfChain(key);
    pending.push({ ratchetKey, n, key: step.messageKey });
    key = step.chainKey;
  }
  return { key, n: until };
}

function withSkipped(
  skipped: readonly SkippedChain[],
  pending: readonly PendingSkip[],
  closedChain: Uint8Array | null,
): readonly SkippedChain[] {
  if (pending.length === 0 && closedChain === null) return skipped;
  const chains = skipped.map((chain) => ({ ratchetKey: chain.ratchetKey, keys: new Map(chain.keys) }));
  const chainFor = (ratchetKey: Uint8Array) => {
    let chain = chains.find((c) => equalBytes(c.ratchetKey, ratchetKey));
    if (!chain) {
      chain = { ratchetKey, keys: new Map() };
      chains.push(chain);
    }
    return chain;
  };
  // [RAT6] A closed chain gets a record even with no keys left, so its replays are recognised.
  if (closedChain) chainFor(closedChain);
  for (const skip of pending) chainFor(skip.ratchetKey).keys.set(skip.n, skip.key);
  let total = chains.reduce((sum, chain) => sum + chain.keys.size, 0);
  // [RAT5] Over the total cap, forget the oldest skipped keys (their messages become undecryptable).
  for (const chain of chains) {
    if (total <= MAX_SKIPPED_TOTAL) break;
    for (const n of chain.keys.keys()) {
      if (total <= MAX_SKIPPED_TOTAL) break;
      chain.keys.delete(n);
      total--;
    }
  }
  return chains.slice(-MAX_CHAIN_RECORDS);
}

function withoutSkipped(skipped: readonly SkippedChain[], index: number, n: number): readonly SkippedChain[] {
  return skipped.map((chain, i) => {
    if (i !== index) return chain;
    const keys = new Map(chain.keys);
    keys.delete(n);
    return { ratchetKey: chain.ratchetKey, keys };
  });
}

export interface ReceiveStep {
  readonly state: RatchetState;
  readonly messageKey: Uint8Array;
}

/**
 * [RAT3][RAT4][RAT5][RAT6] Finds the message key for `header` and the state to commit once
 * the message has authenticated: the caller decrypts with `messageKey` and keeps `state` only
 * if that succeeds. Throws `replay`, `too_many_skipped` or `low_order_point` without
 * changing anything.
 */
export function ratchetReceive(state: RatchetState, header: RatchetHeader): ReceiveStep {
  const n = header.messageNumber;
  const chainIndex =
    state.skipped.length === 0
      ? -1
      : state.skipped.findIndex((c) => equalBytes(c.ratchetKey, header.ratchetKey));
  const skippedChain = state.skipped[chainIndex];
  if (skippedChain) {
    const key = skippedChain.keys.get(n);
    if (key)
      return {
        state: withChanges(state, { skipped: withoutSkipped(state.skipped, chainIndex, n) }),
        messageKey: key,
      };
  }
  // Before its first reply the initiator has a remote key (SPK_B) but no receiving chain: a
  // header naming SPK_B then takes the DH-step path and fails authentication.
  const isCurrent =
    state.recv !== null && state.remote !== null && equalBytes(header.ratchetKey, state.remote);
  if ((isCurrent && n < state.recv!.n) || (!isCurrent && skippedChain)) {
    throw new E2eError('replay', 'this message was already decrypted: drop the duplicate');
  }

  const pending: PendingSkip[] = [];
  let next: RatchetState = state;
  let closedChain: Uint8Array | null = null;
  if (!isCurrent) {
    // [RAT4] A new ratchet key from the peer: keep the rest of the old chain, then a DH step.
    if (state.recv && state.remote) {
      skipTo(state.recv, state.remote, header.previousChainLength, pending);
      closedChain = state.remote;
    }
    const received = kdfRoot(state.rootKey, x25519(state.self.secretKey, header.ratchetKey));
    const self = generateX25519KeyPair();
    const sending = kdfRoot(received.rootKey, x25519(self.secretKey, header.ratchetKey));
    next = withChanges(state, {
      rootKey: sending.rootKey,
      self,
      remote: header.ratchetKey,
      send: { key: sending.chainKey, n: 0 },
      recv: { key: received.chainKey, n: 0 },
      previousSendCount: state.send?.n ?? 0,
    });
  }
  const recv = skipTo(next.recv!, header.ratchetKey, n, pending);
  const { chainKey, messageKey } = kdfChain(recv.key);
  return {
    state: withChanges(next, {
      recv: { key: chainKey, n: n + 1 },
      skipped: withSkipped(next.skipped, pending, closedChain),
    }),
    messageKey,
  };
}
