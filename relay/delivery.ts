import type { Socket } from 'socket.io';
import type { Fanout } from './fanout';
import { agentChannel } from './fanout';
import type { Logger } from './log';
import type { Mailbox } from './mailbox';
import type { RelayMetrics } from './observability/metrics';
import type { PresenceRegistry } from './presence';
import type { Envelope } from './protocol';

/** What delivery keeps per connection. */
export interface DeliveryState {
  /** Envelopes pushed to this connection and not yet answered: never pushed twice at once. */
  inflight?: Map<string, (acked: boolean) => void>;
  draining?: boolean;
  redrain?: boolean;
  /**
   * Ids acknowledged on this connection while a drain runs: a drain's read of the mailbox can
   * predate a live push's ack, and must not offer the envelope a second time.
   */
  ackedDuringDrain?: Set<string>;
}

type DeliverySocket = Socket & { data: DeliveryState };

const DRAIN_BATCH = 200;

/**
 * Pushes envelopes to connected recipients and forgets them only on the recipient's ack
 * (MBX1); the first ack also sends the sender a receipt (MBX5). A push that is not
 * acknowledged leaves the envelope in the mailbox, to be drained again on the next login.
 */
export class Delivery {
  constructor(
    private readonly mailbox: Mailbox,
    private readonly fanout: Fanout,
    private readonly presence: PresenceRegistry,
    private readonly metrics: RelayMetrics,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves true once the recipient acknowledged and the mailbox forgot the envelope. */
  push(socket: DeliverySocket, envelope: Envelope): Promise<boolean> {
    const inflight = (socket.data.inflight ??= new Map());
    if (inflight.has(envelope.id) || !socket.connected) return Promise.resolve(false);
    return new Promise((resolve) => {
      inflight.set(envelope.id, resolve);
      socket.timeout(this.timeoutMs).emit('deliver', envelope, (err: unknown, result: unknown) => {
        if (!inflight.delete(envelope.id)) return; // Settled by `dropped`.
        if (err || (result as { ok?: unknown } | undefined)?.ok !== true) return resolve(false);
        socket.data.ackedDuringDrain?.add(envelope.id);
        this.#acknowledged(envelope).then(resolve, (error: unknown) => {
          this.log.warn('mailbox.ack_failed', { error: error instanceof Error ? error.name : 'unknown' });
          resolve(false);
        });
      });
    });
  }

  /** The connection closed: its pushes will not be answered (the envelopes stay in the mailbox). */
  dropped(socket: DeliverySocket): void {
    const inflight = socket.data.inflight;
    if (!inflight) return;
    for (const resolve of inflight.values()) resolve(false);
    inflight.clear();
  }

  /**
   * Offers everything waiting for `agentId` to this connection, in order, batch by batch, until
   * the mailbox is empty or the connection stops acknowledging. A drain asked for while one
   * runs (a resync) makes the running one go round again.
   */
  async drain(socket: DeliverySocket, agentId: string): Promise<void> {
    if (socket.data.draining) {
      socket.data.redrain = true;
      return;
    }
    socket.data.draining = true;
    const acked = (socket.data.ackedDuringDrain = new Set());
    try {
      do {
        socket.data.redrain = false;
        for (;;) {
          if (!socket.connected) return;
          const batch = await this.mailbox.pending(agentId, DRAIN_BATCH);
          if (batch.length === 0) break;
          const results = await Promise.all(
            batch.filter((e) => !acked.has(e.id)).map((envelope) => this.push(socket, envelope)),
          );
          if (batch.length < DRAIN_BATCH || !results.some(Boolean)) break;
        }
      } while (socket.data.redrain);
    } finally {
      socket.data.draining = false;
      delete socket.data.ackedDuringDrain;
    }
  }

  async #acknowledged(envelope: Envelope): Promise<boolean> {
    const removed = await this.mailbox.ack(envelope.to, envelope.id);
    // A second ack (another connection, a redelivery) finds nothing: one receipt only.
    if (!removed) return true;
    this.metrics.envelopesOut.inc();
    this.metrics.deliveryLatency.observe(Math.max(0, this.now() - envelope.sentAt) / 1000);
    // Receipts are best effort (an offline sender gets none): ask where the sender is rather
    // than publish to Redis when it is only here.
    const channel = agentChannel(envelope.from);
    const receipt = {
      t: 'receipt',
      receipt: { id: envelope.id, to: envelope.to, status: 'delivered' },
    } as const;
    void this.fanout.publish(channel, receipt, { remote: false });
    if (await this.presence.elsewhere(envelope.from)) {
      await this.fanout.publish(channel, receipt, { local: false });
    }
    return true;
  }
}
