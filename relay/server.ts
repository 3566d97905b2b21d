import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { ChallengeAuthority } from './auth';
import { Delivery, type DeliveryState } from './delivery';
import { Fanout, agentChannel, presenceChannel } from './fanout';
import { Intake } from './intake';
import { MemoryUidBindings, TokenRefused, type TokenVerifier, type UidBindings } from './firebase';
import { originAllowed, TokenBucket, type OriginPolicy, type RateLimit } from './limits';
import { createLogger, type Logger } from './log';
import { MemoryMailbox, type Mailbox } from './mailbox';
import { handleHttp } from './observability/http';
import { createMetrics, type RelayMetrics } from './observability/metrics';
import { MemoryPrekeyStore, signedPrekeyIsValid, type PrekeyStore } from './prekeys';
import { MemoryPresence, type PresenceRegistry } from './presence';
import { ReceiptQueue, type ReceiptState } from './receipts';
import {
  CLIENT_EVENTS,
  ChallengeRequest,
  LoginRequest,
  MAX_PAYLOAD_CHARS,
  PrekeyCountRequest,
  PrekeyFetchRequest,
  PresenceSubscribeRequest,
  RefreshRequest,
  SendRequest,
  prekeyUploadWireSchema,
  relayError,
  type ClientToServerEvents,
  type Envelope,
  type RelayError,
  type RelayErrorCode,
  type ServerToClientEvents,
} from './protocol';
import { relayParser } from './wire-parser';

export interface RelayLimits {
  /** Connections this process accepts at once (LIM3). */
  readonly maxConnections: number;
  /** Logged-in connections per agent on this process (LIM3). */
  readonly maxConnectionsPerAgent: number;
  /** Every request of one connection (LIM2). */
  readonly perConnection: RateLimit;
  /** Every request of one agent, over its connections on this process (LIM2). */
  readonly perAgent: RateLimit;
  /** A connection that has not logged in by then is closed (LIM3). */
  readonly loginTimeoutMs: number;
  /** Agents one connection may watch (PRS1). */
  readonly maxPresenceSubscriptions: number;
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxConnections: 15_000,
  maxConnectionsPerAgent: 8,
  perConnection: { burst: 200, perSecond: 100 },
  perAgent: { burst: 400, perSecond: 200 },
  loginTimeoutMs: 30_000,
  maxPresenceSubscriptions: 1000,
};

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
  origins?: OriginPolicy;
  /** Default both, websocket first (clients choose; the extension uses websocket only). */
  transports?: ('websocket' | 'polling')[];
  logger?: Logger;
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

interface SocketData extends DeliveryState, ReceiptState {
  agentId?: string;
  uid?: string;
  tokenExpiresAt?: number;
  bucket?: TokenBucket;
  watching?: Set<string>;
  loginTimer?: NodeJS.Timeout;
}

type RelaySocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
type Reply = (result: unknown) => void;
type ClientEvent = (typeof CLIENT_EVENTS)[number];

const agentRoom = (agentId: string) => `agent:${agentId}`;
const presenceRoom = (agentId: string) => `presence:${agentId}`;

export function createRelay(options: RelayOptions = {}): Relay {
  const mailbox = options.mailbox ?? new MemoryMailbox();
  const prekeys = options.prekeys ?? new MemoryPrekeyStore();
  const presence = options.presence ?? new MemoryPresence();
  const fanout = options.fanout ?? new Fanout();
  const bindings = options.bindings ?? new MemoryUidBindings();
  const now = options.now ?? Date.now;
  const log = options.logger ?? createLogger('relay', 'warn');
  const limits: RelayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const origins: OriginPolicy = options.origins ?? { allowMissing: true };
  const metrics = createMetrics();
  const challenges = new ChallengeAuthority(now, options.challengeTtlMs);
  const delivery = new Delivery(
    mailbox,
    fanout,
    presence,
    metrics,
    log,
    now,
    options.deliverTimeoutMs ?? 30_000,
  );
  const intake = new Intake(mailbox, fanout, log);
  const receipts = new ReceiptQueue(options.receiptDelayMs ?? 25);
  const agentBuckets = new Map<string, TokenBucket>();
  let draining = false;
  let inflight = 0;
  let idle: (() => void) | undefined;

  const http = createServer((req, res) =>
    handleHttp(req, res, {
      metrics,
      draining: () => draining,
      ready: options.ready ?? (async () => {}),
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

  io.use((socket, next) => {
    const refuse = (code: RelayErrorCode) => {
      rejected(code);
      next(Object.assign(new Error(code), { data: relayError(code) }));
    };
    if (draining) return refuse('unavailable');
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
      .catch(() => {})
      .then(() => {
        for (const socket of io.sockets.sockets.values()) {
          const agentId = socket.data.agentId;
          if (agentId) void delivery.drain(socket, agentId).catch(() => {});
        }
      });
  });

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

  const refuse = (ack: Reply, error: RelayError) => {
    rejected(error.code);
    ack({ ok: false, error });
  };

  /** The connection's bucket, then the agent's once logged in (LIM2). */
  const allowed = (socket: RelaySocket): boolean => {
    if (!socket.data.bucket!.take()) return false;
    const agentId = socket.data.agentId;
    if (!agentId) return true;
    let bucket = agentBuckets.get(agentId);
    if (!bucket) {
      bucket = new TokenBucket(limits.perAgent.burst, limits.perAgent.perSecond, now);
      agentBuckets.set(agentId, bucket);
    }
    return bucket.take();
  };

  // Every handler validates before it trusts, answers through the ack when there is one,
  // and never throws into socket.io. Handlers are made once for all connections (socket.io
  // calls a listener with the socket as `this`): nothing per idle connection but its state.
  /** A request's handler finished: shutdown waits until none is left (`inflight`). */
  const settled = () => {
    if (--inflight === 0) idle?.();
  };

  const guard = (
    handler: (socket: RelaySocket, payload: unknown, ack: Reply) => Promise<void>,
    needsLogin = true,
  ) => {
    return function (this: RelaySocket, payload: unknown, ack: unknown): void {
      serve(this, payload, ack);
    };
    function serve(socket: RelaySocket, payload: unknown, ack: unknown): void {
      if (typeof ack !== 'function') {
        const error = relayError('bad_request', 'Every request needs an acknowledgement callback.');
        rejected(error.code);
        socket.emit('relay:error', error);
        return;
      }
      const reply = ack as Reply;
      if (draining) return refuse(reply, relayError('unavailable'));
      if (!allowed(socket)) return refuse(reply, relayError('rate_limited'));
      if (needsLogin && !socket.data.agentId) return refuse(reply, relayError('not_authenticated'));
      if (needsLogin && options.tokenVerifier && now() >= (socket.data.tokenExpiresAt ?? 0)) {
        return refuse(reply, relayError('firebase_token_expired'));
      }
      inflight++;
      handler(socket, payload, reply).then(settled, (e: unknown) => {
        try {
          const unavailable = isStoreFailure(e);
          log[unavailable ? 'warn' : 'error']('handler_failed', {
            error: e instanceof Error ? e.name : 'unknown',
          });
          refuse(reply, relayError(unavailable ? 'unavailable' : 'internal'));
        } finally {
          settled();
        }
      });
    }
  };

  const HANDLERS: [ClientEvent, (this: RelaySocket, payload: unknown, ack: unknown) => void][] = [
    [
      'auth:challenge',
      guard(async (socket, payload, ack) => {
        if (!ChallengeRequest.safeParse(payload ?? {}).success) return refuse(ack, relayError('bad_request'));
        ack({ ok: true, ...challenges.issue(socket.id) });
      }, false),
    ],

    [
      'auth:login',
      guard(async (socket, payload, ack) => {
        if (socket.data.agentId) return refuse(ack, relayError('already_authenticated'));
        const login = LoginRequest.safeParse(payload);
        if (!login.success) return refuse(ack, relayError('bad_request', describe(login.error)));
        const failure = challenges.verify(socket.id, login.data);
        if (failure) {
          log.info('login_refused', { code: failure.code });
          return refuse(ack, failure);
        }
        const { agentId, firebaseToken } = login.data;
        if (options.tokenVerifier) {
          if (!firebaseToken) return refuse(ack, relayError('firebase_token_required'));
          const verified = await verifyToken(options.tokenVerifier, firebaseToken);
          if ('code' in verified) return refuse(ack, verified);
          if (!(await bindings.bind(agentId, verified.uid))) {
            log.info('login_refused', { code: 'firebase_uid_mismatch' });
            return refuse(ack, relayError('firebase_uid_mismatch'));
          }
          socket.data.uid = verified.uid;
          socket.data.tokenExpiresAt = verified.expiresAt;
        }
        if (socketsIn(agentRoom(agentId)).length >= limits.maxConnectionsPerAgent) {
          return refuse(ack, relayError('too_many_connections'));
        }
        socket.data.agentId = agentId;
        clearTimeout(socket.data.loginTimer);
        delete socket.data.loginTimer;
        metrics.authenticated.inc();
        const first = socketsIn(agentRoom(agentId)).length === 0;
        await socket.join(agentRoom(agentId));
        // Subscribed before the drain reads the mailbox: anything stored after the read is pushed.
        await fanout.subscribe(agentChannel(agentId));
        if (first) {
          await presence.up(agentId);
          await fanout.publish(presenceChannel(agentId), { t: 'presence', state: { agentId, online: true } });
        }
        ack({ ok: true, agentId });
        // Not awaited: a drain lasts as long as the recipient takes to acknowledge, and is not
        // a request in flight that shutdown should wait for.
        void delivery
          .drain(socket, agentId)
          .catch((e: unknown) =>
            log.warn('drain_failed', { error: e instanceof Error ? e.name : 'unknown' }),
          );
      }, false),
    ],

    [
      'auth:refresh',
      guard(async (socket, payload, ack) => {
        // Allowed past the token's expiry (that is its point), but only once logged in.
        if (!socket.data.agentId) return refuse(ack, relayError('not_authenticated'));
        const request = RefreshRequest.safeParse(payload);
        if (!request.success) return refuse(ack, relayError('bad_request', describe(request.error)));
        if (!options.tokenVerifier) return ack({ ok: true, expiresAt: 0 });
        const verified = await verifyToken(options.tokenVerifier, request.data.firebaseToken);
        if ('code' in verified) return refuse(ack, verified);
        if (verified.uid !== socket.data.uid) return refuse(ack, relayError('firebase_uid_mismatch'));
        socket.data.tokenExpiresAt = verified.expiresAt;
        ack({ ok: true, expiresAt: verified.expiresAt });
      }, false),
    ],

    [
      'send',
      guard(async (socket, payload, ack) => {
        const from = socket.data.agentId!;
        if (
          isObject(payload) &&
          typeof payload.payload === 'string' &&
          payload.payload.length > MAX_PAYLOAD_CHARS
        ) {
          return refuse(ack, relayError('payload_too_large'));
        }
        const send = SendRequest.safeParse(payload);
        if (!send.success) return refuse(ack, relayError('bad_request', describe(send.error)));
        // Spelled out: a spread here allocates ten times the object (≈ 650 bytes per envelope).
        const { id, to, payload: sealed } = send.data;
        const envelope: Envelope = { id, from, to, payload: sealed, sentAt: now() };
        // Stored (and then pushed) with what else arrived for this recipient in this tick (DLV3).
        const { status, depth } = await intake.accept(envelope);
        if (status === 'full') return refuse(ack, relayError('mailbox_full'));
        metrics.envelopesIn.inc({ outcome: status });
        options.observe?.(envelope);
        // The sender's ack follows the durable enqueue (MBX6); the push follows the ack. Receipts
        // waiting for this connection ride along (DLV4).
        const riding = receipts.take(socket);
        ack(riding ? { ok: true, id: envelope.id, receipts: riding } : { ok: true, id: envelope.id });
        if (status === 'stored') metrics.mailboxDepth.observe(depth);
      }),
    ],

    [
      'prekeys:publish',
      guard(async (socket, payload, ack) => {
        const upload = prekeyUploadWireSchema.safeParse(payload);
        if (!upload.success) return refuse(ack, relayError('bad_request', describe(upload.error)));
        if (upload.data.agentId !== socket.data.agentId) return refuse(ack, relayError('agent_mismatch'));
        if (!signedPrekeyIsValid(upload.data.agentId, upload.data.signedPrekey)) {
          return refuse(
            ack,
            relayError(
              'bad_signature',
              'The signed prekey is not signed by this agent; sign it with the identity key.',
            ),
          );
        }
        ack({ ok: true, oneTimePrekeys: await prekeys.publish(upload.data) });
      }),
    ],

    [
      'prekeys:fetch',
      guard(async (socket, payload, ack) => {
        const request = PrekeyFetchRequest.safeParse(payload);
        if (!request.success) return refuse(ack, relayError('bad_request', describe(request.error)));
        const bundle = await prekeys.take(request.data.agentId);
        if (!bundle) return refuse(ack, relayError('prekeys_not_found'));
        ack({ ok: true, bundle });
      }),
    ],

    [
      'prekeys:count',
      guard(async (socket, payload, ack) => {
        if (!PrekeyCountRequest.safeParse(payload ?? {}).success)
          return refuse(ack, relayError('bad_request'));
        ack({ ok: true, oneTimePrekeys: await prekeys.count(socket.data.agentId!) });
      }),
    ],

    [
      'presence:subscribe',
      guard(async (socket, payload, ack) => {
        const request = PresenceSubscribeRequest.safeParse(payload);
        if (!request.success) return refuse(ack, relayError('bad_request', describe(request.error)));
        const watching = (socket.data.watching ??= new Set());
        const fresh = [...new Set(request.data.agentIds)].filter((id) => !watching.has(id));
        if (watching.size + fresh.length > limits.maxPresenceSubscriptions) {
          return refuse(
            ack,
            relayError('rate_limited', 'Too many presence subscriptions on this connection.'),
          );
        }
        for (const id of fresh) {
          watching.add(id);
          await socket.join(presenceRoom(id));
          await fanout.subscribe(presenceChannel(id));
        }
        const online = await presence.isOnline(request.data.agentIds);
        ack({
          ok: true,
          presence: request.data.agentIds.map((agentId, i) => ({ agentId, online: online[i]! })),
        });
      }),
    ],

    [
      'presence:unsubscribe',
      guard(async (socket, payload, ack) => {
        const request = PresenceSubscribeRequest.safeParse(payload);
        if (!request.success) return refuse(ack, relayError('bad_request', describe(request.error)));
        for (const id of request.data.agentIds) {
          if (!socket.data.watching?.delete(id)) continue;
          await socket.leave(presenceRoom(id));
          await fanout.unsubscribe(presenceChannel(id));
        }
        ack({ ok: true });
      }),
    ],
  ];

  const ROUTES = new Map<string, (this: RelaySocket, payload: unknown, ack: unknown) => void>(HANDLERS);

  /**
   * The one listener every connection has for client events: a listener per event per connection
   * would cost each idle connection a table of its own.
   */
  function dispatch(this: RelaySocket, event: unknown, ...args: unknown[]): void {
    const handler = typeof event === 'string' ? ROUTES.get(event) : undefined;
    if (handler) return handler.call(this, args[0], args[1]);
    const error = relayError(
      'unknown_event',
      `The relay does not know the event "${String(event).slice(0, 40)}".`,
    );
    const ack = args.at(-1);
    if (typeof ack === 'function') return refuse(ack as Reply, error);
    rejected(error.code);
    this.emit('relay:error', error);
  }

  function onDisconnect(this: RelaySocket): void {
    disconnected(this);
  }

  function disconnected(socket: RelaySocket): void {
    clearTimeout(socket.data.loginTimer);
    delivery.dropped(socket);
    receipts.dropped(socket);
    metrics.connections.dec();
    for (const id of socket.data.watching ?? []) void fanout.unsubscribe(presenceChannel(id)).catch(() => {});
    const agentId = socket.data.agentId;
    if (!agentId) return;
    metrics.authenticated.dec();
    void (async () => {
      await fanout.unsubscribe(agentChannel(agentId));
      if (socketsIn(agentRoom(agentId)).length > 0) return;
      agentBuckets.delete(agentId);
      if (!(await presence.down(agentId))) {
        await fanout.publish(presenceChannel(agentId), {
          t: 'presence',
          state: { agentId, online: false },
        });
      }
    })().catch((e: unknown) =>
      log.warn('disconnect_cleanup_failed', { error: e instanceof Error ? e.name : 'unknown' }),
    );
  }

  io.on('connection', (socket: RelaySocket) => {
    // The upgrade request (an IncomingMessage with its buffers) is not needed once the
    // handshake is read (the origin check above): socket.io's "Memory usage" guide. engine.io
    // still holds the object for the connection's life (its upgrade response listens for the
    // socket's close), so what it carries is dropped too. Nor are the handshake's headers kept
    // (`handshake.auth` stays).
    const conn = socket.conn as unknown as { request: Record<string, unknown> | null };
    if (conn.request) Object.assign(conn.request, { headers: {}, rawHeaders: [], _query: {}, url: '' });
    conn.request = null;
    socket.handshake.headers = {};
    metrics.connections.inc();
    socket.data.bucket = new TokenBucket(limits.perConnection.burst, limits.perConnection.perSecond, now);
    socket.data.loginTimer = setTimeout(() => {
      if (!socket.data.agentId) socket.disconnect(true);
    }, limits.loginTimeoutMs);
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
      draining = true;
      // Stop accepting connections; the open ones finish what they started.
      http.close();
      if (inflight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise((resolve) => setTimeout(resolve, options.shutdownGraceMs ?? 10_000).unref()),
        ]);
      }
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await presence.close();
      await mailbox.close();
      await options.closeStores?.();
    },
  };
}

async function verifyToken(verifier: TokenVerifier, token: string) {
  try {
    return await verifier.verify(token);
  } catch (error) {
    if (error instanceof TokenRefused) return relayError(error.code);
    throw error;
  }
}

/** Redis unreachable or refusing: the client should retry, not report a bug. */
function isStoreFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    /MaxRetriesPerRequest|Connection is closed|ECONNREFUSED|ECONNRESET|LOADING|READONLY|CLUSTERDOWN/.test(
      `${error.name} ${error.message}`,
    ) || error.name === 'ReplyError'
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const first = error.issues[0];
  if (!first) return 'The request does not match the relay protocol.';
  const where = first.path.length ? first.path.map(String).join('.') : 'request';
  return `${where}: ${first.message}`.slice(0, 200);
}
