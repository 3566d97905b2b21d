import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { ChallengeAuthority } from './auth';
import { Delivery } from './delivery';
import { Fanout } from './fanout';
import { MemoryUidBindings, type TokenVerifier, type UidBindings } from './firebase';
import {
  InFlight,
  agentRoom,
  connected,
  createDispatch,
  disconnected,
  presenceRoom,
  type RelayContext,
  type RelaySocket,
  type SocketData,
} from './handlers';
import { Intake } from './intake';
import {
  DEFAULT_LIMITS,
  RateLimiter,
  originAllowed,
  type AgentBuckets,
  type OriginPolicy,
  type RateLimit,
  type RelayLimits,
} from './limits';
import { createLogger, errorName, type Logger } from './log';
import { MemoryMailbox, type Mailbox } from './mailbox';
import { handleHttp } from './observability/http';
import { createMetrics, type RelayMetrics } from './observability/metrics';
import { MemoryPrekeyStore, type PrekeyStore } from './prekeys';
import { MemoryPresence, type PresenceRegistry } from './presence';
import {
  relayError,
  type ClientToServerEvents,
  type Envelope,
  type RelayErrorCode,
  type ServerToClientEvents,
} from './protocol';
import { ReceiptQueue } from './receipts';
import { relayParser } from './wire-parser';

export { DEFAULT_LIMITS, type RelayLimits } from './limits';

export interface RelayOptions {
  mailbox?: Mailbox;
  prekeys?: PrekeyStore;
  presence?: PresenceRegistry;
  fanout?: Fanout;
  /** Set → every login must carry a Firebase ID token this verifier accepts (FBA1). */
  tokenVerifier?: TokenVerifier;
  bindings?: UidBindings;
  /** Readiness probe (e.g. Redis PING); throws when the relay cannot serve. */
  ready?: () => Promise<void>;
  /** Closes what the stores hold (Redis connections), after the relay stopped. */
  closeStores?: () => Promise<void>;
  now?: () => number;
  challengeTtlMs?: number;
  /** How long a recipient has to acknowledge a pushed envelope before it is offered again on reconnect. */
  deliverTimeoutMs?: number;
  /** How long receipts wait for a `send` answer to ride on before going out alone (DLV4). */
  receiptDelayMs?: number;
  /** How long `close()` waits for requests in flight. */
  shutdownGraceMs?: number;
  limits?: Partial<RelayLimits>;
  /** Where agents' buckets live; default this node's (LIM2), shared through Redis with one (LIM7). */
  agentBuckets?: (limit: RateLimit, now: () => number) => AgentBuckets;
  origins?: OriginPolicy;
  /** Default both, websocket first (clients choose; the extension uses websocket only). */
  transports?: ('websocket' | 'polling')[];
  logger?: Logger;
  /** The project's address, linked from the root page (OBS6). */
  projectUrl?: string;
  /** Sees every envelope the relay accepts (tests check that none holds plaintext). */
  observe?: (envelope: Envelope) => void;
}

export interface Relay {
  readonly http: HttpServer;
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
  readonly metrics: RelayMetrics;
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Graceful: stop accepting, finish requests in flight, then close connections and stores. */
  close(): Promise<void>;
}

/**
 * The relay's lifecycle: builds the stores and services, wires socket.io and the fanout to the
 * handlers (`relay/handlers/`, one file per client event), listens, and shuts down gracefully.
 */
export function createRelay(options: RelayOptions = {}): Relay {
  const mailbox = options.mailbox ?? new MemoryMailbox();
  const presence = options.presence ?? new MemoryPresence();
  const fanout = options.fanout ?? new Fanout();
  const now = options.now ?? Date.now;
  const log = options.logger ?? createLogger('relay', 'warn');
  const limits: RelayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const origins: OriginPolicy = options.origins ?? { allowMissing: true };
  const metrics = createMetrics();
  const inFlight = new InFlight();

  const http = createServer((req, res) =>
    handleHttp(req, res, {
      metrics,
      draining: () => inFlight.draining,
      ready: options.ready ?? (async () => {}),
      ...(options.projectUrl ? { projectUrl: options.projectUrl } : {}),
    }),
  );
  const io: Relay['io'] = new Server(http, {
    // Envelopes are capped by MAX_PAYLOAD_CHARS; the transport cap sits above it
    // so an oversize envelope gets a `payload_too_large` answer, not a dropped socket.
    maxHttpBufferSize: 1_000_000,
    serveClient: false,
    cors: { origin: true },
    parser: relayParser,
    ...(options.transports ? { transports: options.transports } : {}),
  });

  const rejected = (code: RelayErrorCode) => metrics.rejections.inc({ code });

  function socketsIn(room: string): RelaySocket[] {
    const ids = io.sockets.adapter.rooms.get(room);
    const sockets: RelaySocket[] = [];
    if (ids) {
      for (const id of ids) {
        const socket = io.sockets.sockets.get(id);
        if (socket) sockets.push(socket);
      }
    }
    return sockets;
  }

  const delivery = new Delivery(
    mailbox,
    fanout,
    presence,
    metrics,
    log,
    now,
    options.deliverTimeoutMs ?? 30_000,
  );
  const receipts = new ReceiptQueue(options.receiptDelayMs ?? 25);
  const ctx: RelayContext = {
    prekeys: options.prekeys ?? new MemoryPrekeyStore(),
    presence,
    fanout,
    bindings: options.bindings ?? new MemoryUidBindings(),
    tokenVerifier: options.tokenVerifier,
    challenges: new ChallengeAuthority(now, options.challengeTtlMs),
    intake: new Intake(mailbox, fanout, log),
    delivery,
    receipts,
    rates: new RateLimiter(limits, now, options.agentBuckets?.(limits.perAgent, now)),
    inFlight,
    limits,
    metrics,
    log,
    now,
    observe: options.observe,
    socketsIn,
    refused(code, message) {
      rejected(code);
      return { ok: false, error: relayError(code, message) };
    },
  };

  io.use((socket, next) => {
    const refuse = (code: RelayErrorCode) => {
      rejected(code);
      next(Object.assign(new Error(code), { data: relayError(code) }));
    };
    if (inFlight.draining) return refuse('unavailable');
    if (!originAllowed(origins, socket.handshake.headers.origin)) return refuse('origin_refused');
    if (io.engine.clientsCount > limits.maxConnections) return refuse('too_many_connections');
    next();
  });

  /** Hands a fanout message to the connections of this node that want it. */
  fanout.onMessage((channel, message) => {
    if (message.t === 'deliver') {
      for (const socket of socketsIn(agentRoom(channel.slice(2)))) delivery.offer(socket, message.envelopes);
    } else if (message.t === 'receipt') {
      for (const socket of socketsIn(agentRoom(channel.slice(2)))) receipts.add(socket, message.receipts);
    } else {
      io.to(presenceRoom(message.state.agentId)).emit('presence', message.state);
    }
  });
  fanout.onResync(() => {
    log.info('fanout.resync');
    // Leases first: other nodes publish to this one only while they see its lease (NOD3), and
    // the Redis that came back may have lost them.
    void presence
      .renew()
      // The drains still run: an envelope stored meanwhile is read by them, lease or not.
      .catch((e: unknown) => log.warn('fanout.resync_renew_failed', { error: errorName(e) }))
      .then(() => {
        for (const socket of io.sockets.sockets.values()) {
          const agentId = socket.data.agentId;
          if (agentId) {
            void delivery
              .drain(socket, agentId)
              .catch((e: unknown) => log.warn('drain_failed', { error: errorName(e) }));
          }
        }
      });
  });

  const dispatch = createDispatch(ctx);
  function onDisconnect(this: RelaySocket): void {
    disconnected(ctx, this);
  }
  io.on('connection', (socket: RelaySocket) => {
    connected(ctx, socket);
    socket.onAny(dispatch);
    socket.on('disconnect', onDisconnect);
  });

  return {
    http,
    io,
    metrics,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          const address = http.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ port: address.port, url: `http://${shownHost}:${address.port}` });
        });
      });
    },
    async close() {
      // Refuses new requests at once; the open connections finish what they started, while the
      // server stops accepting connections.
      const drained = inFlight.drain(options.shutdownGraceMs ?? 10_000);
      http.close();
      await drained;
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await presence.close();
      await mailbox.close();
      await options.closeStores?.();
    },
  };
}
