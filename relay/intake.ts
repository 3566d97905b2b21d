import { agentChannel, type Fanout } from './fanout';
import { errorName, type Logger } from './log';
import type { Mailbox, PutResult } from './mailbox';
import { MAX_DELIVER_BATCH, type Envelope } from './protocol';

interface Waiting {
  readonly envelope: Envelope;
  resolve(result: PutResult): void;
  reject(error: unknown): void;
}

/**
 * Where accepted envelopes enter the mailbox (DLV3). What arrives during one turn of the event
 * loop is stored with one mailbox call (one Lua script on a single Redis, one per recipient on a
 * Redis Cluster); each recipient's part is then handed to the fanout as one message, so the
 * recipient's node pushes it as one `deliver`. Each sender still gets its own answer, and only
 * after the write (MBX6). Under load this divides the Redis work per envelope by the batch size;
 * when traffic is light, envelopes to different recipients still share the script.
 */
export class Intake {
  #waiting = new Map<string, Waiting[]>();
  #scheduled = false;

  constructor(
    private readonly mailbox: Mailbox,
    private readonly fanout: Fanout,
    private readonly log: Logger,
  ) {}

  /** Resolves once the envelope is stored (or found a duplicate, or refused as full). */
  accept(envelope: Envelope): Promise<PutResult> {
    return new Promise((resolve, reject) => {
      let group = this.#waiting.get(envelope.to);
      if (!group) this.#waiting.set(envelope.to, (group = []));
      group.push({ envelope, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    });
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const groups: Waiting[][] = [];
    for (const group of this.#waiting.values()) {
      for (let i = 0; i < group.length; i += MAX_DELIVER_BATCH)
        groups.push(group.slice(i, i + MAX_DELIVER_BATCH));
    }
    this.#waiting = new Map();
    void this.#store(groups);
  };

  /** Stores every recipient's group with one mailbox call, then answers and publishes each. */
  async #store(groups: Waiting[][]): Promise<void> {
    let settled: PromiseSettledResult<PutResult[]>[];
    try {
      settled = await this.mailbox.putMany(
        groups.map((group) => ({ to: group[0]!.envelope.to, envelopes: group.map((w) => w.envelope) })),
        this.fanout.nodeId,
      );
    } catch (error) {
      // Each sender's request fails with it: the guard logs it and answers `unavailable` (OBS3).
      for (const group of groups) for (const w of group) w.reject(error);
      return;
    }
    groups.forEach((group, i) => {
      const result = settled[i]!;
      if (result.status === 'rejected') for (const w of group) w.reject(result.reason);
      else this.#stored(group, result.value);
    });
  }

  #stored(group: Waiting[], results: PutResult[]): void {
    group.forEach((w, i) => w.resolve(results[i]!));
    const stored = group.filter((_, i) => results[i]!.status === 'stored').map((w) => w.envelope);
    if (stored.length === 0) return;
    // The senders' acks (queued just above) leave before the push: it follows the ack (MBX6).
    const elsewhere = results.find((r) => r.status === 'stored')?.elsewhere ?? true;
    this.fanout
      .publish(agentChannel(stored[0]!.to), { t: 'deliver', envelopes: stored }, { remote: elsewhere })
      .catch((error: unknown) =>
        // Stored all the same: the recipient's next login drains it (NOD2).
        this.log.warn('fanout.publish_failed', { error: errorName(error) }),
      );
  }
}
