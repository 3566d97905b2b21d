import type { Envelope } from '../protocol';

/** Where a `put` left the envelope; `depth` is the mailbox's size after it. */
export interface PutResult {
  readonly status: 'stored' | 'duplicate' | 'full';
  readonly depth: number;
  /**
   * For a stored envelope: whether a relay node other than the one that asked holds a
   * connection of the recipient (its presence lease, read in the same atomic step as the
   * write). Absent when the mailbox cannot tell; the caller must then assume another does.
   */
  readonly elsewhere?: boolean;
}

/** Envelopes for one recipient, to store in order (`putMany`). */
export interface PutRequest {
  readonly to: string;
  readonly envelopes: readonly Envelope[];
}

/** Envelopes one recipient acknowledged (`ackMany`). */
export interface AckRequest {
  readonly agentId: string;
  readonly ids: readonly string[];
}

/** Settled results, as `Promise.allSettled` makes them. */
export const fulfilled = <T>(value: T): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value });
export const rejected = (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason });

/** The value of a settled result, or its reason thrown. */
export function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/** Limits every mailbox implementation honours (MBX3, MBX4). */
export interface MailboxLimits {
  /** How long an unacknowledged envelope is kept (default 30 days). */
  readonly ttlMs: number;
  /** Most envelopes waiting for one agent. */
  readonly maxCount: number;
  /** Most bytes (serialized envelopes) waiting for one agent. */
  readonly maxBytes: number;
}

export const DEFAULT_MAILBOX_LIMITS: MailboxLimits = {
  ttlMs: 30 * 24 * 3600_000,
  maxCount: 10_000,
  maxBytes: 64 * 1024 * 1024,
};

/**
 * Where envelopes wait until their recipient acknowledges them.
 *
 * The contract (docs/protocol/relay.md, MBX*): `put` resolves only once the envelope is
 * stored as durably as the implementation can (the sender is acknowledged after it); an
 * envelope leaves the mailbox only through `ack` by its recipient or by expiry; `put` of an
 * id already held is a no-op reported as `duplicate`; a `put` that would exceed the limits
 * stores nothing and reports `full`.
 */
export interface Mailbox {
  /** `node`: the asking relay node, for `PutResult.elsewhere`. */
  put(envelope: Envelope, node?: string): Promise<PutResult>;
  /**
   * Stores envelopes for one recipient (`to`) in one atomic step, each judged in order exactly
   * as `put` would judge it alone (a duplicate within the batch is a duplicate, a cap reached
   * mid-batch refuses the rest). Results are in the order of `envelopes`.
   */
  putBatch(to: string, envelopes: readonly Envelope[], node?: string): Promise<PutResult[]>;
  /**
   * Several recipients' batches in one step where the store allows it (one script on a single
   * Redis; DLV3): each request judged exactly as `putBatch` would judge it, one after the other.
   * Settled per request, in order: where requests are stored separately (a Redis Cluster stores
   * each agent on its own slot), one can fail alone. Throws, storing nothing, when a request
   * holds an envelope for another recipient.
   */
  putMany(requests: readonly PutRequest[], node?: string): Promise<PromiseSettledResult<PutResult[]>[]>;
  /** Envelopes waiting for `agentId`, oldest first, expired ones left out (and forgotten). */
  pending(agentId: string, limit?: number): Promise<Envelope[]>;
  /**
   * Forgets delivered envelopes of `agentId`, in one atomic step. Returns the ids that were
   * there; an id already acknowledged (or another agent's) is left out.
   */
  ack(agentId: string, ids: readonly string[]): Promise<string[]>;
  /** `ack` for several agents in one step where the store allows it; settled per request. */
  ackMany(requests: readonly AckRequest[]): Promise<PromiseSettledResult<string[]>[]>;
  /** Number of unexpired envelopes waiting for `agentId`. */
  depth(agentId: string): Promise<number>;
  close(): Promise<void>;
}

/** The size a mailbox charges for an envelope: its JSON in bytes. */
export const envelopeBytes = (json: string): number => Buffer.byteLength(json, 'utf8');
