import type { Envelope } from '../protocol';
import type { Mailbox } from './mailbox';

/** The embedded default: one process, nothing survives a restart. */
export class MemoryMailbox implements Mailbox {
  // A Map keeps insertion order, which is arrival order.
  readonly #boxes = new Map<string, Map<string, Envelope>>();

  async put(envelope: Envelope): Promise<'stored' | 'duplicate'> {
    let box = this.#boxes.get(envelope.to);
    if (!box) {
      box = new Map();
      this.#boxes.set(envelope.to, box);
    }
    if (box.has(envelope.id)) return 'duplicate';
    box.set(envelope.id, envelope);
    return 'stored';
  }

  async pending(agentId: string, limit = 1000): Promise<Envelope[]> {
    const box = this.#boxes.get(agentId);
    if (!box) return [];
    const out: Envelope[] = [];
    for (const envelope of box.values()) {
      if (out.length >= limit) break;
      out.push(envelope);
    }
    return out;
  }

  async ack(agentId: string, id: string): Promise<boolean> {
    const box = this.#boxes.get(agentId);
    if (!box) return false;
    const removed = box.delete(id);
    if (box.size === 0) this.#boxes.delete(agentId);
    return removed;
  }

  async depth(agentId: string): Promise<number> {
    return this.#boxes.get(agentId)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.#boxes.clear();
  }
}
