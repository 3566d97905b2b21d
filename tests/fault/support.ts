// A sender with an outbox and a recipient application that dedupes by envelope id: the two
// halves of "every acknowledged envelope reaches the recipient's application exactly once".
import { io as connect, type Socket } from 'socket.io-client';
import type { Envelope } from '../../relay/protocol';
import { envelopeId, login, payloadOf, type TestAgent } from '../../relay/test-client';

export function openRaw(url: string): Promise<Socket> {
  const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Sends from an outbox: an envelope leaves it only when the relay acknowledged it. */
export class Sender {
  readonly outbox = new Map<string, string>();
  readonly acked = new Set<string>();
  socket: Socket | undefined;

  constructor(
    readonly agent: TestAgent,
    readonly to: string,
  ) {}

  fill(count: number): void {
    for (let i = 0; i < count; i++) {
      const id = envelopeId();
      this.outbox.set(id, payloadOf(`sealed ${i}`));
    }
  }

  async connect(url: string): Promise<void> {
    this.socket = await openRaw(url);
    const result = await login(this.socket as never, this.agent);
    if (!result.ok) throw new Error(`login failed: ${JSON.stringify(result)}`);
  }

  /** Sends everything still in the outbox at once; resolves when each got an answer or timed out. */
  async flush(onAck?: () => void): Promise<void> {
    const socket = this.socket!;
    await Promise.all(
      [...this.outbox].map(async ([id, payload]) => {
        try {
          const result = await socket.timeout(4000).emitWithAck('send', { id, to: this.to, payload });
          if (result.ok) {
            this.outbox.delete(id);
            this.acked.add(id);
            onAck?.();
          }
        } catch {
          // No answer: it stays in the outbox and is sent again.
        }
      }),
    );
  }
}

/** The recipient's application: handles each envelope id once, acknowledges after handling. */
export class Recipient {
  readonly handled = new Set<string>();
  deliveries = 0;
  socket: Socket | undefined;
  #waiters: (() => void)[] = [];

  constructor(readonly agent: TestAgent) {}

  get duplicates(): number {
    return this.deliveries - this.handled.size;
  }

  /** `dropAfter`: close the connection abruptly after that many deliveries on it, unacknowledged. */
  async connect(url: string, { dropAfter }: { dropAfter?: number } = {}): Promise<Socket> {
    const socket = await openRaw(url);
    this.socket = socket;
    let here = 0;
    socket.on('deliver', (envelopes: Envelope[], reply: (r: { acked: string[] }) => void) => {
      const acked: string[] = [];
      for (const envelope of envelopes) {
        if (dropAfter !== undefined && ++here > dropAfter) {
          // Dropped mid-drain: the transport dies before the rest of the batch is acknowledged.
          socket.io.engine.close();
          return;
        }
        this.deliveries++;
        this.handled.add(envelope.id);
        acked.push(envelope.id);
      }
      reply({ acked });
      this.#waiters.splice(0).forEach((w) => w());
    });
    const result = await login(socket as never, this.agent);
    if (!result.ok) throw new Error(`login failed: ${JSON.stringify(result)}`);
    return socket;
  }

  async waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out: handled ${this.handled.size}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}
