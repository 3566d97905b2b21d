import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { envelopeJson, type Envelope } from './protocol';

/**
 * socket.io's own parser, with one shortcut on the way out: a `deliver` is written from the
 * envelopes' JSON (`envelopeJson`) instead of through `JSON.stringify` and the binary scan of the
 * whole packet, which on Node 20 is most of what pushing an envelope costs the relay's main
 * thread. The text is what the default encoder writes, keys aside, so clients use the standard
 * parser; every other packet, and everything read, goes through socket.io-parser unchanged.
 */
class RelayEncoder extends Encoder {
  override encode(packet: Packet): ReturnType<Encoder['encode']> {
    const data: unknown = packet.data;
    if (
      packet.type === PacketType.EVENT &&
      packet.nsp === '/' &&
      Array.isArray(data) &&
      data.length === 2 &&
      data[0] === 'deliver' &&
      Array.isArray(data[1])
    ) {
      const envelopes = (data[1] as Envelope[]).map(envelopeJson).join(',');
      return [`${PacketType.EVENT}${packet.id ?? ''}["deliver",[${envelopes}]]`];
    }
    return super.encode(packet);
  }
}

/** The `parser` option of the relay's socket.io server. */
export const relayParser = { Encoder: RelayEncoder, Decoder };
