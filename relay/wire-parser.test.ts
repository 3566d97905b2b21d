import fc from 'fast-check';
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import { relayParser } from './wire-parser';

const urlSafe = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`));
const envelope = fc.record({
  id: urlSafe(8, 64),
  from: urlSafe(43, 43),
  to: urlSafe(43, 43),
  payload: urlSafe(1, 300),
  sentAt: fc.integer({ min: 0, max: 2 ** 45 }),
});

/** What a standard socket.io client reads from the encoder's output. */
function decode(encoded: ReturnType<Encoder['encode']>): Packet {
  const decoder = new Decoder();
  let packet: Packet | undefined;
  decoder.on('decoded', (p: Packet) => (packet = p));
  for (const part of encoded) decoder.add(part);
  return packet!;
}

describe('the relay wire parser', () => {
  const ours = new relayParser.Encoder();
  const standard = new Encoder();

  it('writes a deliver that a standard client reads exactly as the default encoder’s', () => {
    fc.assert(
      fc.property(
        fc.array(envelope, { minLength: 0, maxLength: 5 }),
        fc.option(fc.nat(), { nil: undefined }),
        (envelopes, id) => {
          const packet: Packet = { type: PacketType.EVENT, nsp: '/', data: ['deliver', envelopes], id };
          const written = ours.encode(packet);
          expect(written).toHaveLength(1);
          expect(decode(written)).toEqual(decode(standard.encode(packet)));
        },
      ),
    );
  });

  it('leaves every other packet to the default encoder, byte for byte', () => {
    const packets: Packet[] = [
      { type: PacketType.ACK, nsp: '/', id: 7, data: [{ ok: true, id: 'e000000001' }] },
      { type: PacketType.EVENT, nsp: '/', data: ['receipt', [{ id: 'e1', to: 'x', status: 'delivered' }]] },
      { type: PacketType.EVENT, nsp: '/', data: ['presence', { agentId: 'a', online: true }] },
      { type: PacketType.EVENT, nsp: '/admin', data: ['deliver', []] },
      { type: PacketType.EVENT, nsp: '/', data: ['deliver', 'not an array'] },
      { type: PacketType.EVENT, nsp: '/', data: ['deliver', [], 'extra'] },
      { type: PacketType.EVENT, nsp: '/', data: ['binary', Buffer.from([1, 2, 3])] },
      { type: PacketType.CONNECT, nsp: '/', data: { sid: 'abc' } },
    ];
    for (const packet of packets) expect(ours.encode(packet)).toEqual(standard.encode(packet));
  });
});
