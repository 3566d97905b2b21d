import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Envelope, envelopeJson } from './schemas';

const urlSafe = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`));

describe('envelopeJson', () => {
  it('writes exactly what JSON.stringify writes, for every envelope the schema accepts', () => {
    // A field added to Envelope must be added to envelopeJson too: this fails until it is.
    expect(Object.keys(Envelope.shape)).toEqual(['id', 'from', 'to', 'payload', 'sentAt']);
    fc.assert(
      fc.property(
        fc.record({
          id: urlSafe(8, 64),
          from: urlSafe(43, 43),
          to: urlSafe(43, 43),
          payload: urlSafe(1, 2000),
          sentAt: fc.oneof(
            fc.integer({ min: 0, max: 2 ** 45 }),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
          ),
        }),
        (envelope) => {
          expect(Envelope.safeParse(envelope).success).toBe(true);
          const { id, from, to, payload, sentAt } = envelope;
          expect(envelopeJson(envelope)).toBe(JSON.stringify({ id, from, to, payload, sentAt }));
        },
      ),
    );
  });
});
