import type { Envelope } from '../protocol';

/**
 * Where envelopes wait until their recipient acknowledges them.
 *
 * The contract (docs/protocol.md, MBX*): `put` resolves only once the envelope is
 * stored as durably as the implementation can (the sender is acknowledged after
 * it); an envelope leaves the mailbox only through `ack` by its recipient (or
 * expiry); `put` of an id already held is a no-op reported as `duplicate`.
 */
export interface Mailbox {
  put(envelope: Envelope): Promise<'stored' | 'duplicate'>;
  /** Envelopes waiting for `agentId`, oldest first. */
  pending(agentId: string, limit?: number): Promise<Envelope[]>;
  /** Forgets a delivered envelope. Returns false if it was not there (already acknowledged). */
  ack(agentId: string, id: string): Promise<boolean>;
  /** Number of envelopes waiting for `agentId`. */
  depth(agentId: string): Promise<number>;
  close(): Promise<void>;
}
