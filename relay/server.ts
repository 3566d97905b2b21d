import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { ChallengeAuthority } from './auth';
import { createLogger, type Logger } from './log';
import { MemoryMailbox, type Mailbox } from './mailbox';
import {
  CLIENT_EVENTS,
  ChallengeRequest,
  LoginRequest,
  MAX_PAYLOAD_CHARS,
  SendRequest,
  relayError,
  type ClientToServerEvents,
  type Envelope,
  type RelayError,
  type ServerToClientEvents,
} from './protocol';

export interface RelayOptions {
  mailbox?: Mailbox;
  now?: () => number;
  challengeTtlMs?: number;
  /** How long a recipient has to acknowledge a pushed envelope before it is offered again on reconnect. */
  deliverTimeoutMs?: number;
  logger?: Logger;
  /** Sees every envelope the relay accepts (tests check that none holds plaintext). */
  observe?: (envelope: Envelope) => void;
}

export interface Relay {
  readonly http: HttpServer;
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

interface SocketData {
  agentId?: string;
}

type RelaySocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

const agentRoom = (agentId: string) => `agent:${agentId}`;

export function createRelay(options: RelayOptions = {}): Relay {
  const mailbox = options.mailbox ?? new MemoryMailbox();
  const now = options.now ?? Date.now;
  const log = options.logger ?? createLogger('relay', 'warn');
  const deliverTimeoutMs = options.deliverTimeoutMs ?? 30_000;
  const challenges = new ChallengeAuthority(now, options.challengeTtlMs);

  const http = createServer((req, res) => handleHttp(req, res));
  const io: Relay['io'] = new Server(http, {
    // Envelopes are capped by MAX_PAYLOAD_CHARS; the transport cap sits above it
    // so an oversize envelope gets a `payload_too_large` answer, not a dropped socket.
    maxHttpBufferSize: 1_000_000,
    serveClient: false,
    cors: { origin: true },
  });

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    // socket.io answers its own path; everything else is unknown.
    if (!req.url?.startsWith('/socket.io/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found' }));
    }
  }

  /** Pushes one envelope to every connection of its recipient; the first ack removes it. */
  function push(envelope: Envelope): void {
    io.to(agentRoom(envelope.to))
      .timeout(deliverTimeoutMs)
      .emit('deliver', envelope, (err, results) => {
        if (err && results.length === 0) return; // Nobody answered: it stays for the next connection.
        if (results.some((r) => r?.ok === true)) {
          mailbox
            .ack(envelope.to, envelope.id)
            .catch((e: unknown) => log.error('mailbox.ack_failed', { error: String(e) }));
        }
      });
  }

  async function drain(socket: RelaySocket, agentId: string): Promise<void> {
    const waiting = await mailbox.pending(agentId);
    for (const envelope of waiting) {
      socket.timeout(deliverTimeoutMs).emit('deliver', envelope, (err, result) => {
        if (!err && result?.ok === true) {
          mailbox
            .ack(agentId, envelope.id)
            .catch((e: unknown) => log.error('mailbox.ack_failed', { error: String(e) }));
        }
      });
    }
  }

  io.on('connection', (socket: RelaySocket) => {
    const refuse = (ack: unknown, error: RelayError) => {
      if (typeof ack === 'function') ack({ ok: false, error });
      else socket.emit('relay:error', error);
    };

    socket.onAny((event: string, ...args: unknown[]) => {
      if ((CLIENT_EVENTS as readonly string[]).includes(event)) return;
      refuse(
        args.at(-1),
        relayError('unknown_event', `The relay does not know the event "${event.slice(0, 40)}".`),
      );
    });

    // Every handler validates before it trusts, answers through the ack when there is one,
    // and never throws into socket.io.
    const guard =
      (handler: (payload: unknown, ack: unknown) => Promise<void>) =>
      (payload: unknown, ack: unknown): void => {
        if (typeof ack !== 'function') {
          socket.emit(
            'relay:error',
            relayError('bad_request', 'Every request needs an acknowledgement callback.'),
          );
          return;
        }
        handler(payload, ack).catch((e: unknown) => {
          log.error('handler_failed', { error: e instanceof Error ? e.name : 'unknown' });
          refuse(ack, relayError('internal'));
        });
      };

    socket.on(
      'auth:challenge',
      guard(async (payload, ack) => {
        if (!ChallengeRequest.safeParse(payload ?? {}).success) return refuse(ack, relayError('bad_request'));
        (ack as (r: unknown) => void)({ ok: true, ...challenges.issue(socket.id) });
      }),
    );

    socket.on(
      'auth:login',
      guard(async (payload, ack) => {
        if (socket.data.agentId) return refuse(ack, relayError('already_authenticated'));
        const login = LoginRequest.safeParse(payload);
        if (!login.success) return refuse(ack, relayError('bad_request', describe(login.error)));
        const failure = challenges.verify(socket.id, login.data);
        if (failure) {
          log.info('login_refused', { code: failure.code });
          return refuse(ack, failure);
        }
        socket.data.agentId = login.data.agentId;
        await socket.join(agentRoom(login.data.agentId));
        (ack as (r: unknown) => void)({ ok: true, agentId: login.data.agentId });
        await drain(socket, login.data.agentId);
      }),
    );

    socket.on(
      'send',
      guard(async (payload, ack) => {
        const from = socket.data.agentId;
        if (!from) return refuse(ack, relayError('not_authenticated'));
        if (
          isObject(payload) &&
          typeof payload.payload === 'string' &&
          payload.payload.length > MAX_PAYLOAD_CHARS
        ) {
          return refuse(ack, relayError('payload_too_large'));
        }
        const send = SendRequest.safeParse(payload);
        if (!send.success) return refuse(ack, relayError('bad_request', describe(send.error)));
        const envelope: Envelope = { ...send.data, from, sentAt: now() };
        const outcome = await mailbox.put(envelope);
        options.observe?.(envelope);
        (ack as (r: unknown) => void)({ ok: true, id: envelope.id });
        if (outcome === 'stored') push(envelope);
      }),
    );
  });

  return {
    http,
    io,
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
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await mailbox.close();
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const first = error.issues[0];
  if (!first) return 'The request does not match the relay protocol.';
  const where = first.path.length ? first.path.map(String).join('.') : 'request';
  return `${where}: ${first.message}`.slice(0, 200);
}
