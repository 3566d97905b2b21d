import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { E2eError, type E2eErrorCode } from './errors';
import { parseMessage } from './message';
import { generateX25519KeyPair } from './primitives';
import {
  initRatchetAsResponder,
  MAX_SKIP_PER_CHAIN,
  MAX_SKIPPED_TOTAL,
  ratchetSend,
  skippedKeyCount,
} from './ratchet';
import { createSessionAsInitiator, decrypt, encrypt, receiveMessage, type Session } from './session';
import { sessionFromJson, sessionToJson } from './session-json';
import { loadSodium } from './sodium';
import { connectedPair, makePair, read, text } from './test-support';

beforeAll(async () => {
  await loadSodium();
});

function failure(run: () => unknown): E2eError {
  try {
    run();
  } catch (error) {
    if (error instanceof E2eError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
const codeOf = (run: () => unknown): E2eErrorCode => failure(run).code;
const snapshot = (session: Session) => JSON.stringify(sessionToJson(session));

interface Sent {
  readonly id: number;
  readonly to: 'alice' | 'bob';
  readonly bytes: Uint8Array;
  readonly body: string;
}

const command = fc.record({
  op: fc.constantFrom('send', 'send', 'deliver', 'deliver', 'duplicate'),
  who: fc.constantFrom('alice' as const, 'bob' as const),
  pick: fc.nat(),
});

describe('Double Ratchet properties', () => {
  it('[RAT3][RAT6] any reordering or duplication within the window decrypts each message exactly once', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const { alice, bob, bundle, bobPrekeys } = makePair();
        const sessions: { alice: Session; bob: Session | undefined } = {
          alice: createSessionAsInitiator(alice, bundle).session,
          bob: undefined,
        };
        let prekeys = bobPrekeys;
        const pending: Record<'alice' | 'bob', Sent[]> = { alice: [], bob: [] };
        const delivered: Record<'alice' | 'bob', Sent[]> = { alice: [], bob: [] };
        let nextId = 0;

        const receive = (who: 'alice' | 'bob', message: Uint8Array) => {
          if (who === 'alice') {
            const out = decrypt(sessions.alice, message);
            sessions.alice = out.session;
            return read(out.plaintext);
          }
          const out = receiveMessage({
            me: bob,
            from: alice.agentId,
            prekeys,
            session: sessions.bob,
            message,
          });
          sessions.bob = out.session;
          prekeys = out.prekeys;
          return read(out.plaintext);
        };
        const deliver = (who: 'alice' | 'bob', index: number) => {
          const [message] = pending[who].splice(index, 1);
          if (!message) return;
          expect(receive(who, message.bytes)).toBe(message.body);
          delivered[who].push(message);
        };

        for (const { op, who, pick } of commands) {
          if (op === 'send') {
            const session = sessions[who];
            if (!session) continue; // Bob cannot speak before Alice's first message arrives.
            const to = who === 'alice' ? 'bob' : 'alice';
            const body = `${who}-${nextId}`;
            const out = encrypt(session, text(body));
            sessions[who] = out.session;
            pending[to].push({ id: nextId++, to, bytes: out.message, body });
          } else if (op === 'deliver' && pending[who].length > 0) {
            deliver(who, pick % pending[who].length);
          } else if (op === 'duplicate' && delivered[who].length > 0) {
            const copy = delivered[who][pick % delivered[who].length]!;
            const before = sessions[who] && snapshot(sessions[who]);
            expect(codeOf(() => receive(who, copy.bytes))).toBe('replay');
            expect(sessions[who] && snapshot(sessions[who])).toBe(before);
          }
        }
        for (const who of ['alice', 'bob'] as const) while (pending[who].length > 0) deliver(who, 0);
        const ids = [...delivered.alice, ...delivered.bob].map((m) => m.id).sort((a, b) => a - b);
        expect(ids).toEqual([...Array(nextId).keys()]);
      }),
      { seed: 0x5eed01, numRuns: 150 },
    );
  });

  it('[RAT7][MSG2] a tampered header or body is refused with a typed error, state unchanged, and the session still works', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 6 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (backlog, position, mask) => {
          let { aliceSession, bobSession } = connectedPair();
          for (let i = 0; i < backlog; i++) {
            const a = encrypt(aliceSession, text(`warm-up ${i}`));
            aliceSession = a.session;
            bobSession = decrypt(bobSession, a.message).session;
            const b = encrypt(bobSession, text(`reply ${i}`));
            bobSession = b.session;
            aliceSession = decrypt(aliceSession, b.message).session;
          }
          const sent = encrypt(aliceSession, text('the real one'));
          const tampered = sent.message.slice();
          const at = position % tampered.length;
          tampered[at]! ^= mask;
          const before = snapshot(bobSession);
          const error = failure(() => decrypt(bobSession, tampered));
          expect([
            'decrypt_failed',
            'malformed_message',
            'too_many_skipped',
            'low_order_point',
            'session_mismatch',
            'replay',
          ]).toContain(error.code);
          expect(snapshot(bobSession)).toBe(before);
          const opened = decrypt(bobSession, sent.message);
          expect(read(opened.plaintext)).toBe('the real one');
          const reply = encrypt(opened.session, text('still here'));
          expect(read(decrypt(sent.session, reply.message).plaintext)).toBe('still here');
        },
      ),
      { seed: 0x5eed02, numRuns: 200 },
    );
  });

  it('[RAT8] forward secrecy: a state copied after message n cannot decrypt messages before n', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), (turns) => {
        let { aliceSession, bobSession } = connectedPair();
        const toBob: Uint8Array[] = [];
        const toAlice: Uint8Array[] = [];
        for (const aliceSpeaks of turns) {
          if (aliceSpeaks) {
            const out = encrypt(aliceSession, text('to bob'));
            aliceSession = out.session;
            bobSession = decrypt(bobSession, out.message).session;
            toBob.push(out.message);
          } else {
            const out = encrypt(bobSession, text('to alice'));
            bobSession = out.session;
            aliceSession = decrypt(aliceSession, out.message).session;
            toAlice.push(out.message);
          }
        }
        const stolenBob = sessionFromJson(JSON.parse(JSON.stringify(sessionToJson(bobSession))));
        const stolenAlice = sessionFromJson(JSON.parse(JSON.stringify(sessionToJson(aliceSession))));
        for (const message of toBob)
          expect(['replay', 'decrypt_failed']).toContain(codeOf(() => decrypt(stolenBob, message)));
        for (const message of toAlice) {
          expect(['replay', 'decrypt_failed']).toContain(codeOf(() => decrypt(stolenAlice, message)));
        }
      }),
      { seed: 0x5eed03, numRuns: 60 },
    );
  });

  it('[RAT9] healing: after a leaked state and one round trip the leaked copy cannot decrypt new messages', () => {
    fc.assert(
      fc.property(fc.nat({ max: 4 }), fc.nat({ max: 3 }), (warmUp, burst) => {
        let { aliceSession, bobSession } = connectedPair();
        for (let i = 0; i < warmUp; i++) {
          const b = encrypt(bobSession, text('b'));
          bobSession = b.session;
          aliceSession = decrypt(aliceSession, b.message).session;
          const a = encrypt(aliceSession, text('a'));
          aliceSession = a.session;
          bobSession = decrypt(bobSession, a.message).session;
        }
        const leaked = sessionFromJson(sessionToJson(bobSession));
        // Until the round trip completes the leak is real: with Bob's ratchet secret the
        // attacker follows Alice's next DH step and reads her message.
        const b1 = encrypt(bobSession, text('b1'));
        bobSession = b1.session;
        aliceSession = decrypt(aliceSession, b1.message).session;
        const a1 = encrypt(aliceSession, text('a1'));
        aliceSession = a1.session;
        bobSession = decrypt(bobSession, a1.message).session;
        const leakedAfterA1 = decrypt(leaked, a1.message);
        expect(read(leakedAfterA1.plaintext)).toBe('a1');
        // Round trip done: Bob answers with a ratchet key the attacker never saw.
        const b2 = encrypt(bobSession, text('b2'));
        bobSession = b2.session;
        aliceSession = decrypt(aliceSession, b2.message).session;
        expect(codeOf(() => decrypt(leakedAfterA1.session, b2.message))).toBe('decrypt_failed');
        for (let i = 0; i <= burst; i++) {
          const a = encrypt(aliceSession, text(`new ${i}`));
          aliceSession = a.session;
          bobSession = decrypt(bobSession, a.message).session;
          expect(codeOf(() => decrypt(leaked, a.message))).toBe('decrypt_failed');
          expect(codeOf(() => decrypt(leakedAfterA1.session, a.message))).toBe('decrypt_failed');
        }
      }),
      { seed: 0x5eed04, numRuns: 40 },
    );
  });
});

describe('skipped-key caps', () => {
  function aliceSends(session: Session, count: number) {
    const messages: Uint8Array[] = [];
    let current = session;
    for (let i = 0; i < count; i++) {
      const out = encrypt(current, text(`m${i}`));
      current = out.session;
      messages.push(out.message);
    }
    return { session: current, messages };
  }

  it(`[RAT5] refuses a jump of more than ${MAX_SKIP_PER_CHAIN} in one chain and keeps the state; a jump of exactly the cap works`, () => {
    const { aliceSession, bobSession } = connectedPair();
    const { messages } = aliceSends(aliceSession, MAX_SKIP_PER_CHAIN + 2);
    const before = snapshot(bobSession);
    // Bob is at message 0 of this chain: message MAX+1 would need MAX+1 skipped keys.
    expect(codeOf(() => decrypt(bobSession, messages[MAX_SKIP_PER_CHAIN + 1]!))).toBe('too_many_skipped');
    expect(snapshot(bobSession)).toBe(before);
    const opened = decrypt(bobSession, messages[MAX_SKIP_PER_CHAIN]!);
    expect(read(opened.plaintext)).toBe(`m${MAX_SKIP_PER_CHAIN}`);
    expect(skippedKeyCount(opened.session.ratchet)).toBe(MAX_SKIP_PER_CHAIN);
    expect(read(decrypt(opened.session, messages[0]!).plaintext)).toBe('m0');
  });

  it('[RAT5] refuses a new ratchet key whose previous chain would need too many skipped keys', () => {
    let { aliceSession, bobSession } = connectedPair();
    const burst = aliceSends(aliceSession, MAX_SKIP_PER_CHAIN + 1); // never delivered
    const reply = encrypt(bobSession, text('reply'));
    bobSession = reply.session;
    aliceSession = decrypt(burst.session, reply.message).session;
    const next = encrypt(aliceSession, text('next chain'));
    const before = snapshot(bobSession);
    expect(codeOf(() => decrypt(bobSession, next.message))).toBe('too_many_skipped');
    expect(snapshot(bobSession)).toBe(before);
  });

  it(`[RAT5] never stores more than ${MAX_SKIPPED_TOTAL} skipped keys: the oldest are dropped`, () => {
    let { aliceSession, bobSession } = connectedPair();
    const firstChainSkipped: Uint8Array[] = [];
    for (let round = 0; round < 3; round++) {
      const burst = aliceSends(aliceSession, 900);
      // Deliver only the last of each burst: 899 keys skipped per round.
      bobSession = decrypt(bobSession, burst.messages[899]!).session;
      if (round === 0) firstChainSkipped.push(burst.messages[0]!, burst.messages[898]!);
      const reply = encrypt(bobSession, text('turn'));
      bobSession = reply.session;
      aliceSession = decrypt(burst.session, reply.message).session;
      if (round === 2) firstChainSkipped.push(burst.messages[898]!);
      expect(skippedKeyCount(bobSession.ratchet)).toBeLessThanOrEqual(MAX_SKIPPED_TOTAL);
    }
    expect(skippedKeyCount(bobSession.ratchet)).toBe(MAX_SKIPPED_TOTAL);
    // The oldest key was dropped; a newer one from the same first chain and the newest are kept.
    expect(['replay', 'decrypt_failed']).toContain(codeOf(() => decrypt(bobSession, firstChainSkipped[0]!)));
    expect(read(decrypt(bobSession, firstChainSkipped[1]!).plaintext)).toBe('m898');
    expect(read(decrypt(bobSession, firstChainSkipped[2]!).plaintext)).toBe('m898');
  });
});

describe('ratchet steps', () => {
  const headerOf = (message: Uint8Array) => parseMessage(message).header;

  it('[RAT1] the initiator can send at once; a responder with no first message cannot', () => {
    const { alice, bundle } = makePair();
    const { session } = createSessionAsInitiator(alice, bundle);
    expect(session.ratchet.send).not.toBeNull();
    expect(session.ratchet.recv).toBeNull();
    expect(session.ratchet.remote).toEqual(bundle.signedPrekey.publicKey);
    const responder = initRatchetAsResponder(new Uint8Array(32), generateX25519KeyPair());
    expect(codeOf(() => ratchetSend(responder))).toBe('bad_state');
  });

  it('[RAT2] numbers the messages of one chain 0, 1, 2… under one ratchet key', () => {
    let { aliceSession } = connectedPair();
    const headers = [];
    for (let i = 0; i < 4; i++) {
      const out = encrypt(aliceSession, text(`${i}`));
      aliceSession = out.session;
      headers.push(headerOf(out.message));
    }
    // connectedPair already sent message 0 of this chain.
    expect(headers.map((h) => h.messageNumber)).toEqual([1, 2, 3, 4]);
    expect(new Set(headers.map((h) => Buffer.from(h.ratchetKey).toString('hex'))).size).toBe(1);
  });

  it('[RAT4] each turn brings a new ratchet key, and PN carries the length of the previous chain', () => {
    let { aliceSession, bobSession } = connectedPair();
    const a1 = encrypt(aliceSession, text('a1'));
    aliceSession = a1.session;
    bobSession = decrypt(bobSession, a1.message).session;
    const b1 = encrypt(bobSession, text('b1'));
    bobSession = b1.session;
    aliceSession = decrypt(aliceSession, b1.message).session;
    const a2 = encrypt(aliceSession, text('a2'));
    const first = headerOf(a1.message);
    const second = headerOf(a2.message);
    expect(second.ratchetKey).not.toEqual(first.ratchetKey);
    expect(second.messageNumber).toBe(0);
    expect(second.previousChainLength).toBe(2);
    expect(headerOf(b1.message).ratchetKey).not.toEqual(bobSession.ratchet.remote);
  });
});
