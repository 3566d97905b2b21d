import type { Socket } from 'socket.io';
import type { Fanout } from './fanout';
import { agentChannel } from './fanout';
import { errorName, type Logger } from './log';
import { rejected, type Mailbox } from './mailbox';
import type { RelayMetrics } from './observability/metrics';
import type { PresenceRegistry } from './presence';
import { DeliverAck, MAX_DELIVER_BATCH, type Envelope, type Receipt } from './protocol';

/** What delivery keeps per connection. */
export interface DeliveryState {
  /** Envelopes pushed to this connection and not yet answered: never pushed twice at once. */
  inflight?: Map<string, (acked: boolean) => void>;
  /** Envelopes waiting for this connection's next `deliver`, sent once the current tick ends. */
  outbox?: Envelope[];
  draining?: boolean;
  redrain?: boolean;
  /**
   * Ids acknowledged on this connection while a drain runs: a drain's read of the mailbox can
   * predate a live push's ack, and must not offer the envelope a second time.
   */
  ackedDuringDrain?: Set<string>;
}

type DeliverySocket = Socket & { data: DeliveryState };

/** What is kept of a pushed envelope until the recipient answers. */
type Sent = Pick<Envelope, 'id' | 'from' | 'to' | 'sentAt'>;

/** Envelopes of one recipient acknowledged and waiting to leave the mailbox. */
interface PendingAck {
  readonly envelopes: Sent[];
  done(forgotten: boolean): void;
}

const DRAIN_BATCH = 200;
/** What a push nobody waits on is settled with. */
const UNWATCHED = (): void => {};

/**
 * Pushes envelopes to connected recipients and forgets them only on the recipient's ack
 * (MBX1); the ack also sends the sender a receipt (MBX5). A push that is not acknowledged
 * leaves the envelope in the mailbox, to be drained again on the next login.
 *
 * Pushes are coalesced (DLV1): what is pushed to one connection during one turn of the event
 * loop leaves as one `deliver` of up to MAX_DELIVER_BATCH envelopes, answered by one
 * acknowledgement naming the ids handled (DLV2), removed from the mailbox in one atomic step,
 * and receipted to each sender in one `receipt`. Under load this replaces five packets, one
 * timer and two Redis scripts per envelope with that many per batch; when traffic is light a
 * batch is one envelope and costs what a single push did.
 */
export class Delivery {
  readonly #dirty = new Set<DeliverySocket>();
  #scheduled = false;
  #acks: PendingAck[] = [];

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
      this.#queue(socket, envelope);
    });
  }

  /** Pushes live traffic, which nobody waits on: as `push`, without a promise per envelope. */
  offer(socket: DeliverySocket, envelopes: readonly Envelope[]): void {
    if (!socket.connected) return;
    const inflight = (socket.data.inflight ??= new Map());
    for (const envelope of envelopes) {
      if (inflight.has(envelope.id)) continue;
      inflight.set(envelope.id, UNWATCHED);
      this.#queue(socket, envelope);
    }
  }

  #queue(socket: DeliverySocket, envelope: Envelope): void {
    (socket.data.outbox ??= []).push(envelope);
    this.#dirty.add(socket);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** The connection closed: its pushes will not be answered (the envelopes stay in the mailbox). */
  dropped(socket: DeliverySocket): void {
    this.#dirty.delete(socket);
    delete socket.data.outbox;
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

  readonly #flush = (): void => {
    this.#scheduled = false;
    for (const socket of this.#dirty) {
      const outbox = socket.data.outbox ?? [];
      delete socket.data.outbox;
      for (let i = 0; i < outbox.length; i += MAX_DELIVER_BATCH) {
        this.#send(socket, outbox.slice(i, i + MAX_DELIVER_BATCH));
      }
    }
    this.#dirty.clear();
  };

  #send(socket: DeliverySocket, batch: Envelope[]): void {
    // What the answer needs, without the payloads: those can go as soon as the push is written,
    // rather than live (and be copied by every young-generation GC) until the recipient answers.
    const sent = batch.map(({ id, from, to, sentAt }): Sent => ({ id, from, to, sentAt }));
    socket.timeout(this.timeoutMs).emit('deliver', batch, (err: unknown, result: unknown) => {
      const inflight = socket.data.inflight;
      // Settled by `dropped` (the connection closed): nothing left to do.
      if (!inflight) return;
      const answer = err ? undefined : DeliverAck.safeParse(result);
      if (answer && !answer.success) this.metrics.rejections.inc({ code: 'bad_request' });
      const named = new Set(answer?.success ? answer.data.acked : []);
      const acked: Sent[] = [];
      const settle: ((acked: boolean) => void)[] = [];
      for (const envelope of sent) {
        const resolve = inflight.get(envelope.id);
        if (!resolve) continue;
        inflight.delete(envelope.id);
        if (!named.has(envelope.id)) resolve(false);
        else {
          acked.push(envelope);
          settle.push(resolve);
        }
      }
      if (acked.length === 0) return;
      for (const envelope of acked) socket.data.ackedDuringDrain?.add(envelope.id);
      this.#forget(acked, (ok) => settle.forEach((resolve) => resolve(ok)));
    });
  }

  /**
   * Queues acknowledged envelopes (one recipient's) to be forgotten: what is acknowledged during
   * one turn of the event loop, by every recipient, leaves the mailbox in one call (DLV2).
   */
  #forget(envelopes: Sent[], done: (forgotten: boolean) => void): void {
    this.#acks.push({ envelopes, done });
    if (this.#acks.length === 1) setImmediate(this.#flushAcks);
  }

  readonly #flushAcks = (): void => {
    const acks = this.#acks;
    this.#acks = [];
    void this.mailbox
      .ackMany(acks.map(({ envelopes }) => ({ agentId: envelopes[0]!.to, ids: envelopes.map((e) => e.id) })))
      .then(
        (settled) => settled.forEach((result, i) => this.#forgotten(acks[i]!, result)),
        (reason: unknown) => acks.forEach((ack) => this.#forgotten(ack, rejected(reason))),
      );
  };

  /** Receipts what the mailbox forgot to its senders; the rest stays for the next login. */
  #forgotten({ envelopes, done }: PendingAck, result: PromiseSettledResult<string[]>): void {
    if (result.status === 'rejected') {
      this.log.warn('mailbox.ack_failed', {
        error: errorName(result.reason),
      });
      done(false);
      return;
    }
    // A second ack (another connection, a redelivery) finds nothing: one receipt only.
    const removed = new Set(result.value);
    const to = envelopes[0]!.to;
    const bySender = new Map<string, Receipt[]>();
    const now = this.now();
    for (const envelope of envelopes) {
      if (!removed.has(envelope.id)) continue;
      this.metrics.envelopesOut.inc();
      this.metrics.deliveryLatency.observe(Math.max(0, now - envelope.sentAt) / 1000);
      let receipts = bySender.get(envelope.from);
      if (!receipts) bySender.set(envelope.from, (receipts = []));
      receipts.push({ id: envelope.id, to, status: 'delivered' });
    }
    done(true);
    // Best effort: the envelopes are forgotten already, so a receipt that cannot be published
    // (Redis away) must not make their push look unanswered.
    for (const [from, receipts] of bySender) {
      this.#receipt(from, receipts).catch((error: unknown) =>
        this.log.warn('receipt.publish_failed', { error: errorName(error) }),
      );
    }
  }

  /**
   * Receipts are best effort (an offline sender gets none): ask where the sender is rather than
   * publish to Redis when it is only here.
   */
  async #receipt(from: string, receipts: Receipt[]): Promise<void> {
    const channel = agentChannel(from);
    const message = { t: 'receipt', receipts } as const;
    void this.fanout.publish(channel, message, { remote: false });
    if (await this.presence.elsewhere(from)) await this.fanout.publish(channel, message, { local: false });
  }
}
