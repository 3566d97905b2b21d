import { beforeAll, describe, expect, it } from 'vitest';
import { E2eError, type E2eErrorCode } from './errors';
import { parseMessage } from './message';
import { parsePrekeyBundle, prekeyBundleToWire } from './prekey-bundle';
import { createPrekeyState } from './prekey-lifecycle';
import {
  acceptSessionAsResponder,
  createSessionAsInitiator,
  decrypt,
  encrypt,
  inspectMessage,
  receiveMessage,
  type Session,
} from './session';
import { sessionFromJson, sessionToJson } from './session-json';
import { loadSodium } from './sodium';
import { connectedPair, makePair, read, seededRandom, T0, text } from './test-support';

beforeAll(async () => {
  await loadSodium();
});

function codeOf(run: () => unknown): E2eErrorCode | 'no error' {
  try {
    run();
  } catch (error) {
    if (error instanceof E2eError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('X3DH set-up', () => {
  it('[X3DH1] sets up a session to an offline agent from its bundle, with a one-time prekey', () => {
    const { alice, bob, bundle, bobPrekeys } = makePair();
    // The bundle travels through the relay as JSON.
    const fetched = parsePrekeyBundle(JSON.parse(JSON.stringify(prekeyBundleToWire(bundle))));
    const { session } = createSessionAsInitiator(alice, fetched);
    const first = encrypt(session, text('lunch on Tuesday?'));
    const accepted = acceptSessionAsResponder(bob, bobPrekeys, first.message);
    expect(read(accepted.plaintext)).toBe('lunch on Tuesday?');
    expect(accepted.remoteAgentId).toBe(alice.agentId);
    expect(accepted.session.remoteAgentId).toBe(alice.agentId);
    expect(accepted.prekeys.oneTimePrekeys).toHaveLength(bobPrekeys.oneTimePrekeys.length - 1);
    const reply = encrypt(accepted.session, text('yes'));
    expect(read(decrypt(first.session, reply.message).plaintext)).toBe('yes');
  });

  it('[X3DH1] sets up a session without a one-time prekey (signed prekey only)', () => {
    const { alice, bob, bundle, bobPrekeys } = makePair({ withOneTime: false });
    expect(bundle.oneTimePrekey).toBeUndefined();
    const first = encrypt(createSessionAsInitiator(alice, bundle).session, text('hi'));
    expect(inspectMessage(first.message)).toMatchObject({ kind: 'prekey', senderAgentId: alice.agentId });
    const accepted = acceptSessionAsResponder(bob, bobPrekeys, first.message);
    expect(read(accepted.plaintext)).toBe('hi');
    expect(accepted.prekeys.oneTimePrekeys).toHaveLength(bobPrekeys.oneTimePrekeys.length);
  });

  it('[X3DH1] sets up with the last-resort prekey and keeps it for the next initiator', () => {
    const { alice, bob, bobPrekeys } = makePair();
    const { upload } = createPrekeyState(bob, { now: T0, random: seededRandom(1) });
    const bundle = {
      agentId: bob.agentId,
      identityKey: bob.publicKey,
      signedPrekey: upload.signedPrekey,
      oneTimePrekey: upload.lastResortPrekey,
    };
    const first = encrypt(createSessionAsInitiator(alice, bundle).session, text('one'));
    const accepted = acceptSessionAsResponder(bob, bobPrekeys, first.message);
    expect(accepted.prekeys.lastResortPrekey).toEqual(bobPrekeys.lastResortPrekey);
    const second = encrypt(createSessionAsInitiator(alice, bundle).session, text('two'));
    expect(read(acceptSessionAsResponder(bob, accepted.prekeys, second.message).plaintext)).toBe('two');
  });

  it('[X3DH1] refuses a bundle whose signed prekey signature is bad, with bad_signature', () => {
    const { alice, bundle } = makePair();
    const signature = bundle.signedPrekey.signature.slice();
    signature[10]! ^= 1;
    const forged = { ...bundle, signedPrekey: { ...bundle.signedPrekey, signature } };
    expect(codeOf(() => createSessionAsInitiator(alice, forged))).toBe('bad_signature');
    expect(codeOf(() => parsePrekeyBundle(prekeyBundleToWire(forged)))).toBe('bad_signature');
    // A signed prekey swapped for another key under the same signature is refused too.
    const swapped = {
      ...bundle,
      signedPrekey: { ...bundle.signedPrekey, publicKey: bundle.oneTimePrekey!.publicKey },
    };
    expect(codeOf(() => createSessionAsInitiator(alice, swapped))).toBe('bad_signature');
  });

  it('[PRE7] consumes a one-time prekey exactly once: a second set-up with it is refused', () => {
    const { alice, bob, bundle, bobPrekeys } = makePair();
    const first = encrypt(createSessionAsInitiator(alice, bundle).session, text('a'));
    const accepted = acceptSessionAsResponder(bob, bobPrekeys, first.message);
    // A relay bug hands the same one-time prekey out again.
    const again = encrypt(createSessionAsInitiator(alice, bundle).session, text('b'));
    expect(codeOf(() => acceptSessionAsResponder(bob, accepted.prekeys, again.message))).toBe(
      'unknown_prekey',
    );
  });

  it('[PRE7] refuses a replayed initial message even when no one-time prekey was used', () => {
    const { alice, bob, bundle, bobPrekeys } = makePair({ withOneTime: false });
    const first = encrypt(createSessionAsInitiator(alice, bundle).session, text('a'));
    const accepted = acceptSessionAsResponder(bob, bobPrekeys, first.message);
    expect(codeOf(() => acceptSessionAsResponder(bob, accepted.prekeys, first.message))).toBe('replay');
  });

  it('[X3DH2] leaves the prekeys untouched when the initial message does not authenticate', () => {
    const { alice, bob, bundle, bobPrekeys } = makePair();
    const first = encrypt(createSessionAsInitiator(alice, bundle).session, text('a'));
    const tampered = first.message.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(codeOf(() => acceptSessionAsResponder(bob, bobPrekeys, tampered))).toBe('decrypt_failed');
    // The real message still sets up the session with the same (unchanged) prekeys.
    expect(read(acceptSessionAsResponder(bob, bobPrekeys, first.message).plaintext)).toBe('a');
  });

  it('[X3DH3] binds both identities: a message cannot be accepted by another agent with the same prekeys', () => {
    const { alice, bundle, bobPrekeys } = makePair();
    const mallory = makePair({ seed: 9 }).bob;
    const first = encrypt(createSessionAsInitiator(alice, bundle).session, text('a'));
    expect(
      codeOf(() =>
        acceptSessionAsResponder(mallory, { ...bobPrekeys, agentId: mallory.agentId }, first.message),
      ),
    ).toBe('decrypt_failed');
  });

  it('[X3DH4] repeats the X3DH header until the first reply, then sends plain ratchet messages', () => {
    const { alice, bob, bundle, bobPrekeys } = makePair();
    let aliceSession: Session = createSessionAsInitiator(alice, bundle).session;
    const m1 = encrypt(aliceSession, text('1'));
    const m2 = encrypt(m1.session, text('2'));
    aliceSession = m2.session;
    expect(inspectMessage(m2.message).kind).toBe('prekey');
    // The first message is lost: the second one alone sets the session up.
    const accepted = acceptSessionAsResponder(bob, bobPrekeys, m2.message);
    expect(read(accepted.plaintext)).toBe('2');
    expect(read(decrypt(accepted.session, m1.message).plaintext)).toBe('1');
    const reply = encrypt(accepted.session, text('ok'));
    aliceSession = decrypt(aliceSession, reply.message).session;
    expect(inspectMessage(encrypt(aliceSession, text('3')).message).kind).toBe('ratchet');
  });
});

describe('receiveMessage routing', () => {
  it('[SES2] routes a prekey message to a new session and later messages to it', () => {
    const { alice, bob, bundle, bobPrekeys } = makePair();
    const m1 = encrypt(createSessionAsInitiator(alice, bundle).session, text('1'));
    const m2 = encrypt(m1.session, text('2'));
    const r1 = receiveMessage({
      me: bob,
      from: alice.agentId,
      prekeys: bobPrekeys,
      session: undefined,
      message: m1.message,
    });
    expect(r1.newSession).toBe(true);
    const r2 = receiveMessage({
      me: bob,
      from: alice.agentId,
      prekeys: r1.prekeys,
      session: r1.session,
      message: m2.message,
    });
    expect(r2.newSession).toBe(false);
    expect(read(r2.plaintext)).toBe('2');
    expect(
      codeOf(() =>
        receiveMessage({
          me: bob,
          from: alice.agentId,
          prekeys: r2.prekeys,
          session: undefined,
          message: encrypt(r2.session, text('x')).message,
        }),
      ),
    ).toBe('session_mismatch');
  });

  it('[SES2] converges when both agents start a session at the same time', () => {
    const pair = makePair();
    const { alice, bob } = pair;
    const alicePrekeys = createPrekeyState(alice, { now: T0, random: seededRandom(77) });
    const aliceBundle = {
      agentId: alice.agentId,
      identityKey: alice.publicKey,
      signedPrekey: alicePrekeys.upload.signedPrekey,
      oneTimePrekey: alicePrekeys.upload.oneTimePrekeys[0],
    };
    const fromAlice = encrypt(createSessionAsInitiator(alice, pair.bundle).session, text('from alice'));
    const fromBob = encrypt(createSessionAsInitiator(bob, aliceBundle).session, text('from bob'));
    const atAlice = receiveMessage({
      me: alice,
      from: bob.agentId,
      prekeys: alicePrekeys.state,
      session: fromAlice.session,
      message: fromBob.message,
    });
    const atBob = receiveMessage({
      me: bob,
      from: alice.agentId,
      prekeys: pair.bobPrekeys,
      session: fromBob.session,
      message: fromAlice.message,
    });
    expect(read(atAlice.plaintext)).toBe('from bob');
    expect(read(atBob.plaintext)).toBe('from alice');
    // Both now hold the same set-up and can talk both ways.
    expect(atAlice.session.baseKey).toEqual(atBob.session.baseKey);
    const a = encrypt(atAlice.session, text('a'));
    const b = encrypt(atBob.session, text('b'));
    expect(read(decrypt(atBob.session, a.message).plaintext)).toBe('a');
    expect(read(decrypt(atAlice.session, b.message).plaintext)).toBe('b');
  });
});

describe('messages', () => {
  it('[MSG2] binds the caller associated data: a different ad is refused and the session still works', () => {
    const { aliceSession, bobSession } = connectedPair();
    const sent = encrypt(aliceSession, text('x'), text('envelope-1'));
    expect(codeOf(() => decrypt(bobSession, sent.message, text('envelope-2')))).toBe('decrypt_failed');
    expect(codeOf(() => decrypt(bobSession, sent.message))).toBe('decrypt_failed');
    expect(read(decrypt(bobSession, sent.message, text('envelope-1')).plaintext)).toBe('x');
  });

  it('[MSG1] refuses truncated and unknown-version messages with malformed_message', () => {
    const { aliceSession, bobSession } = connectedPair();
    const sent = encrypt(aliceSession, text('x')).message;
    expect(codeOf(() => decrypt(bobSession, sent.subarray(0, 60)))).toBe('malformed_message');
    const future = sent.slice();
    future[0] = 0x03;
    expect(codeOf(() => decrypt(bobSession, future))).toBe('malformed_message');
    expect(codeOf(() => decrypt(bobSession, new Uint8Array()))).toBe('malformed_message');
  });

  it('[SES1] a session serialised to JSON mid-conversation keeps working in both directions', () => {
    let { aliceSession, bobSession } = connectedPair();
    const held = encrypt(aliceSession, text('late'));
    aliceSession = held.session;
    for (let i = 0; i < 5; i++) {
      const a = encrypt(aliceSession, text(`a${i}`));
      aliceSession = sessionFromJson(JSON.parse(JSON.stringify(sessionToJson(a.session))));
      const opened = decrypt(bobSession, a.message);
      bobSession = sessionFromJson(JSON.parse(JSON.stringify(sessionToJson(opened.session))));
      const b = encrypt(bobSession, text(`b${i}`));
      bobSession = b.session;
      aliceSession = decrypt(aliceSession, b.message).session;
    }
    // A skipped key survives the round trip too.
    expect(
      read(
        decrypt(sessionFromJson(JSON.parse(JSON.stringify(sessionToJson(bobSession)))), held.message)
          .plaintext,
      ),
    ).toBe('late');
  });

  it('[SES1] refuses corrupt session JSON with bad_state', () => {
    const { aliceSession } = connectedPair();
    const json = sessionToJson(aliceSession);
    expect(codeOf(() => sessionFromJson({ ...json, v: 2 }))).toBe('bad_state');
    expect(codeOf(() => sessionFromJson({ ...json, ratchet: { ...json.ratchet, rootKey: 'short' } }))).toBe(
      'bad_state',
    );
    expect(codeOf(() => sessionFromJson(null))).toBe('bad_state');
  });
});

describe('receiveMessage sender checks', () => {
  it('[SES2] refuses a session or a prekey message that does not belong to the relay-authenticated sender', () => {
    const { alice, bob, bobPrekeys, bobSession, aliceSession } = connectedPair();
    const carol = makePair({ seed: 4 }).alice;
    const next = encrypt(aliceSession, text('x'));
    expect(
      codeOf(() =>
        receiveMessage({
          me: bob,
          from: carol.agentId,
          prekeys: bobPrekeys,
          session: bobSession,
          message: next.message,
        }),
      ),
    ).toBe('session_mismatch');
    const fresh = makePair();
    const first = encrypt(createSessionAsInitiator(fresh.alice, fresh.bundle).session, text('hi'));
    expect(
      codeOf(() =>
        receiveMessage({
          me: fresh.bob,
          from: carol.agentId,
          prekeys: fresh.bobPrekeys,
          session: undefined,
          message: first.message,
        }),
      ),
    ).toBe('session_mismatch');
    expect(
      read(
        receiveMessage({
          me: bob,
          from: alice.agentId,
          prekeys: bobPrekeys,
          session: bobSession,
          message: next.message,
        }).plaintext,
      ),
    ).toBe('x');
  });
});

describe('nonces, routing facts and unsigned prekeys', () => {
  it('[MSG3] a session rolled back and reused never repeats key and nonce; the receiver refuses the second as a replay', () => {
    const { aliceSession, bobSession } = connectedPair();
    const first = encrypt(aliceSession, text('same words'));
    const again = encrypt(aliceSession, text('same words'));
    const [a, b] = [parseMessage(first.message), parseMessage(again.message)];
    expect(b.header).toEqual(a.header);
    expect(b.nonce).not.toEqual(a.nonce);
    expect(b.ciphertext).not.toEqual(a.ciphertext);
    const opened = decrypt(bobSession, first.message);
    expect(codeOf(() => decrypt(opened.session, again.message))).toBe('replay');
  });

  it('[MSG4] inspectMessage reports the claimed sender without authenticating it', () => {
    const { alice, bob, bundle, bobPrekeys } = makePair();
    const carol = makePair({ seed: 6 }).alice;
    const first = encrypt(createSessionAsInitiator(alice, bundle).session, text('hi'));
    const forged = first.message.slice();
    forged.set(carol.publicKey, 1);
    expect(inspectMessage(forged)).toMatchObject({ kind: 'prekey', senderAgentId: carol.agentId });
    expect(codeOf(() => acceptSessionAsResponder(bob, bobPrekeys, forged))).toBe('decrypt_failed');
  });

  it('[PRE4] a one-time prekey swapped by the relay only makes the set-up fail', () => {
    const { alice, bob, bundle, bobPrekeys } = makePair();
    const relayKey = createPrekeyState(bob, { now: T0, random: seededRandom(99) }).upload.oneTimePrekeys[0]!
      .publicKey;
    const swapped = { ...bundle, oneTimePrekey: { id: bundle.oneTimePrekey!.id, publicKey: relayKey } };
    const first = encrypt(createSessionAsInitiator(alice, swapped).session, text('hi'));
    expect(codeOf(() => acceptSessionAsResponder(bob, bobPrekeys, first.message))).toBe('decrypt_failed');
  });
});
