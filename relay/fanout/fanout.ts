import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis';
import type { Envelope, PresenceState, Receipt } from '../protocol';

export type FanoutMessage =
  | { t: 'deliver'; envelopes: Envelope[] }
  | { t: 'receipt'; receipts: Receipt[] }
  | { t: 'presence'; state: PresenceState };

export const agentChannel = (agentId: string) => `a:${agentId}`;
export const presenceChannel = (agentId: string) => `p:${agentId}`;

/**
 * Moves a message to whichever relay nodes hold a connection interested in a channel (NOD1).
 * A node subscribes to an agent's channel while that agent is connected to it, so Redis sends
 * each message only to the nodes that need it. A message for a channel this node holds is
 * handled in-process at once; the copy Redis echoes back to its publisher is skipped.
 * Subscriptions are reference counted: one per interested connection.
 */
export class Fanout {
  readonly nodeId = randomBytes(8).toString('base64url');
  readonly #counts = new Map<string, number>();
  readonly #ready = new Map<string, Promise<unknown>>();
  #handler: (channel: string, message: FanoutMessage) => void = () => {};
  #resync: () => void = () => {};

  /** Without Redis, a fanout serves one process. */
  constructor(
    private readonly redis?: {
      pub: RedisClient;
      sub: RedisClient;
      prefix: string;
      /** Redis Cluster: sharded pub/sub (SPUBLISH/SSUBSCRIBE), an agent's channel on one shard (NOD5). */
      sharded?: boolean;
    },
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    if (!redis) return;
    let first = true;
    redis.sub.on('ready', () => {
      // After a reconnect ioredis re-subscribes, but what was published meanwhile is gone:
      // let the relay re-read the mailboxes of everyone connected here.
      if (!first) this.#resync();
      first = false;
    });
    redis.sub.on(redis.sharded ? 'smessage' : 'message', (channel: string, raw: string) => {
      const bar = raw.indexOf('|');
      if (raw.slice(0, bar) === this.nodeId) return;
      try {
        this.#handler(channel.slice(redis.prefix.length), JSON.parse(raw.slice(bar + 1)) as FanoutMessage);
      } catch (error) {
        // A message this node cannot read or hand on is dropped, not fatal; the owner logs it.
        this.onError(error);
      }
    });
  }

  onMessage(handler: (channel: string, message: FanoutMessage) => void): void {
    this.#handler = handler;
  }

  onResync(handler: () => void): void {
    this.#resync = handler;
  }

  /** Resolves once messages published to `channel` from any node reach this one. */
  async subscribe(channel: string): Promise<void> {
    const count = (this.#counts.get(channel) ?? 0) + 1;
    this.#counts.set(channel, count);
    if (!this.redis) return;
    if (count === 1) {
      const name = this.redis.prefix + channel;
      const ready = this.redis.sharded ? this.redis.sub.ssubscribe(name) : this.redis.sub.subscribe(name);
      this.#ready.set(channel, ready);
      // Once subscribed, later subscribers have nothing to wait for: an idle agent keeps no promise.
      void ready.then(
        () => this.#ready.get(channel) === ready && this.#ready.delete(channel),
        () => {}, // the subscriber awaiting `ready` below gets the failure
      );
    }
    await this.#ready.get(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    const count = (this.#counts.get(channel) ?? 0) - 1;
    if (count > 0) {
      this.#counts.set(channel, count);
      return;
    }
    this.#counts.delete(channel);
    this.#ready.delete(channel);
    if (!this.redis) return;
    const name = this.redis.prefix + channel;
    await (this.redis.sharded ? this.redis.sub.sunsubscribe(name) : this.redis.sub.unsubscribe(name));
  }

  /**
   * `remote: false` when the caller knows no other node holds the channel's agent (its
   * presence leases say so): the message is handled here only, with no Redis round trip and
   * no echo. `local: false` when the caller already handled it here.
   */
  async publish(
    channel: string,
    message: FanoutMessage,
    { remote = true, local = true } = {},
  ): Promise<void> {
    if (local && this.#counts.has(channel)) this.#handler(channel, message);
    if (this.redis && remote) {
      const name = this.redis.prefix + channel;
      const raw = `${this.nodeId}|${JSON.stringify(message)}`;
      await (this.redis.sharded ? this.redis.pub.spublish(name, raw) : this.redis.pub.publish(name, raw));
    }
  }
}
