import { envelopeJson, type Envelope } from '../protocol';
import {
  DEFAULT_MAILBOX_LIMITS,
  envelopeBytes,
  fulfilled,
  rejected,
  type Mailbox,
  type AckRequest,
  type MailboxLimits,
  type PutRequest,
  type PutResult,
} from './mailbox';

interface Held {
  readonly envelope: Envelope;
  readonly bytes: number;
  readonly expiresAt: number;
}

interface Box {
  // A Map keeps insertion order, which is arrival order.
  readonly held: Map<string, Held>;
  bytes: number;
}

export interface MemoryMailboxOptions extends Partial<MailboxLimits> {
  now?: () => number;
}

/** The embedded default: one process, nothing survives a restart. */
export class MemoryMailbox implements Mailbox {
  readonly #boxes = new Map<string, Box>();
  readonly #limits: MailboxLimits;
  readonly #now: () => number;

  constructor(options: MemoryMailboxOptions = {}) {
    const { now, ...limits } = options;
    this.#limits = { ...DEFAULT_MAILBOX_LIMITS, ...limits };
    this.#now = now ?? Date.now;
  }

  async put(envelope: Envelope): Promise<PutResult> {
    let box = this.#boxes.get(envelope.to);
    if (!box) {
      box = { held: new Map(), bytes: 0 };
      this.#boxes.set(envelope.to, box);
    }
    if (box.held.has(envelope.id)) return { status: 'duplicate', depth: box.held.size };
    const bytes = envelopeBytes(envelopeJson(envelope));
    if (this.#overLimit(box, bytes)) {
      this.#purgeExpired(envelope.to, box);
      if (this.#overLimit(box, bytes)) return { status: 'full', depth: box.held.size };
    }
    // Purging may have dropped the emptied box from the map: put it back.
    this.#boxes.set(envelope.to, box);
    box.held.set(envelope.id, { envelope, bytes, expiresAt: this.#now() + this.#limits.ttlMs });
    box.bytes += bytes;
    return { status: 'stored', depth: box.held.size };
  }

  async putBatch(to: string, envelopes: readonly Envelope[]): Promise<PutResult[]> {
    if (envelopes.some((e) => e.to !== to)) throw new Error('putBatch: every envelope must be for `to`');
    const results: PutResult[] = [];
    for (const envelope of envelopes) results.push(await this.put(envelope));
    return results;
  }

  async putMany(requests: readonly PutRequest[]): Promise<PromiseSettledResult<PutResult[]>[]> {
    if (requests.some(({ to, envelopes }) => envelopes.some((e) => e.to !== to))) {
      throw new Error('putMany: every envelope must be for its `to`');
    }
    // One after the other: a recipient named twice sees its first request stored.
    const settled: PromiseSettledResult<PutResult[]>[] = [];
    for (const { to, envelopes } of requests) {
      settled.push(await this.putBatch(to, envelopes).then(fulfilled, rejected));
    }
    return settled;
  }

  async pending(agentId: string, limit = 1000): Promise<Envelope[]> {
    const box = this.#boxes.get(agentId);
    if (!box) return [];
    this.#purgeExpired(agentId, box);
    const out: Envelope[] = [];
    for (const { envelope } of box.held.values()) {
      if (out.length >= limit) break;
      out.push(envelope);
    }
    return out;
  }

  async ack(agentId: string, ids: readonly string[]): Promise<string[]> {
    const box = this.#boxes.get(agentId);
    if (!box) return [];
    const removed: string[] = [];
    for (const id of ids) {
      const held = box.held.get(id);
      if (!held) continue;
      this.#remove(agentId, box, id, held);
      removed.push(id);
    }
    return removed;
  }

  async ackMany(requests: readonly AckRequest[]): Promise<PromiseSettledResult<string[]>[]> {
    const settled: PromiseSettledResult<string[]>[] = [];
    for (const { agentId, ids } of requests)
      settled.push(await this.ack(agentId, ids).then(fulfilled, rejected));
    return settled;
  }

  async depth(agentId: string): Promise<number> {
    const box = this.#boxes.get(agentId);
    if (!box) return 0;
    this.#purgeExpired(agentId, box);
    return box.held.size;
  }

  async close(): Promise<void> {
    this.#boxes.clear();
  }

  #overLimit(box: Box, bytes: number): boolean {
    return box.held.size + 1 > this.#limits.maxCount || box.bytes + bytes > this.#limits.maxBytes;
  }

  #purgeExpired(agentId: string, box: Box): void {
    const now = this.#now();
    for (const [id, held] of box.held) {
      if (held.expiresAt <= now) this.#remove(agentId, box, id, held);
    }
  }

  #remove(agentId: string, box: Box, id: string, held: Held): void {
    box.held.delete(id);
    box.bytes -= held.bytes;
    if (box.held.size === 0) this.#boxes.delete(agentId);
  }
}
