import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { E2eError } from './errors';
import { encodeHeader, parseMessage, PREKEY_HEADER_BYTES, RATCHET_HEADER_BYTES } from './message';
import { decrypt } from './session';
import { loadSodium } from './sodium';
import { connectedPair } from './test-support';

beforeAll(async () => {
  await loadSodium();
});

describe('message format', () => {
  it('[MSG1] encodes and parses both header kinds', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat({ max: 0xffff_ffff }),
        fc.nat({ max: 0xffff_ffff }),
        fc.option(fc.nat({ max: 0xffff_ffff }), { nil: undefined }),
        (key, pn, n, oneTimePrekeyId) => {
          const header = { ratchetKey: key, previousChainLength: pn, messageNumber: n };
          const prekey = {
            identityKey: key.map((b) => b ^ 1),
            baseKey: key.map((b) => b ^ 2),
            signedPrekeyId: n,
            ...(oneTimePrekeyId !== undefined ? { oneTimePrekeyId } : {}),
          };
          const plain = parseMessage(encodeHeader(null, header, 40));
          expect(plain.headerBytes).toHaveLength(RATCHET_HEADER_BYTES);
          expect(plain.header).toEqual(header);
          expect(plain.prekey).toBeNull();
          const withPrekey = parseMessage(encodeHeader(prekey, header, 40));
          expect(withPrekey.headerBytes).toHaveLength(PREKEY_HEADER_BYTES);
          expect(withPrekey.header).toEqual(header);
          expect(withPrekey.prekey).toEqual(prekey);
        },
      ),
      { seed: 0x5eed05 },
    );
  });

  it('[MSG1] any bytes either parse or fail with a typed error, never anything else', () => {
    const { bobSession } = connectedPair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decrypt(bobSession, bytes);
          expect.unreachable('random bytes must not decrypt');
        } catch (error) {
          expect(error).toBeInstanceOf(E2eError);
        }
      }),
      { seed: 0x5eed06, numRuns: 300 },
    );
  });
});
