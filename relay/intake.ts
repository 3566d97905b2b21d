import { agentChannel, type Fanout } from './fanout';
import type { Logger } from './log';
import type { Mailbox, PutResult } from './mailbox';
import { MAX_DELIVER_BATCH, type Envelope } from './protocol';

interface Waiting {
  readonly envelope: Envelope;
  resolve(result: PutResult): void;
  reject(error: unknown): void;
}

/**
 * Where accepted envelopes enter the mailbox (DLV3). What arrives for one recipient during one
 * turn of the event loop is stored with one mailbox call (one Lua script in Redis), then handed
 * to the fanout as one message, so the recipient's node pushes it as one `deliver`. Each sender
 * still gets its own answer, and only after the write (MBX6). When traffic is light a batch is a
 * single envelope; under load this divides the Redis work per envelope by the batch size.
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
    const groups = this.#waiting;
    this.#waiting = new Map();
    for (const [to, group] of groups) {
      for (let i = 0; i < group.length; i += MAX_DELIVER_BATCH) {
        void this.#store(to, group.slice(i, i + MAX_DELIVER_BATCH));
      }
    }
  };

  async #store(to: string, group: Waiting[]): Promise<void> {
    let results: PutResult[];
    try {
      results = await this.mailbox.putBatch(
        to,
        group.map((w) => w.envelope),
        this.fanout.nodeId,
      );
    } catch (error) {
      for (const w of group) w.reject(error);
      return;
    }
    group.forEach((w, i) => w.resolve(results[i]!));
    const stored = group.filter((_, i) => results[i]!.status === 'stored').map((w) => w.envelope);
    if (stored.length === 0) return;
    // The senders' acks (queued just above) leave before the push: it follows the ack (MBX6).
    const elsewhere = results.find((r) => r.status === 'stored')?.elsewhere ?? true;
    await this.fanout
      .publish(agentChannel(to), { t: 'deliver', envelopes: stored }, { remote: elsewhere })
      .catch((error: unknown) =>
        // Stored all the same: the recipient's next login drains it (NOD2).
        this.log.warn('fanout.publish_failed', { error: error instanceof Error ? error.name : 'unknown' }),
      );
  }
}
