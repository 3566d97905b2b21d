import type { Socket } from 'socket.io';
import type { Receipt } from './protocol';

/** What the queue keeps on a connection, only while receipts wait. */
export interface ReceiptState {
  receipts?: Receipt[];
  receiptTimer?: NodeJS.Timeout;
}

type ReceiptSocket = Socket & { data: ReceiptState };

/**
 * Receipts for a connection wait a moment for an answer to ride on (DLV4): the next `send`
 * acknowledgement on that connection carries them (`receipts`), and only if none leaves within
 * `delayMs` do they go out alone as a `receipt` event. A busy sender, whose answers flow all the
 * time, then gets its receipts without a packet of their own; an idle one gets them `delayMs` late.
 * Receipts are best effort (MBX5): what waits on a connection that closes is dropped.
 */
export class ReceiptQueue {
  constructor(private readonly delayMs: number) {}

  add(socket: ReceiptSocket, receipts: readonly Receipt[]): void {
    const waiting = socket.data.receipts;
    if (waiting) {
      waiting.push(...receipts);
      return;
    }
    socket.data.receipts = receipts.slice();
    socket.data.receiptTimer = setTimeout(() => {
      const alone = this.take(socket);
      if (alone && socket.connected) socket.emit('receipt', alone);
    }, this.delayMs);
  }

  /** Takes what waits for this connection, to send with an answer; undefined when nothing does. */
  take(socket: ReceiptSocket): Receipt[] | undefined {
    const waiting = socket.data.receipts;
    if (!waiting) return undefined;
    clearTimeout(socket.data.receiptTimer);
    delete socket.data.receipts;
    delete socket.data.receiptTimer;
    return waiting;
  }

  dropped(socket: ReceiptSocket): void {
    this.take(socket);
  }
}
