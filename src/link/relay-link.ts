import { io, type Socket } from 'socket.io-client';
import {
  loginMessage,
  type ClientToServerEvents,
  type Envelope,
  type PrekeyBundleWire,
  type PrekeyUploadWire,
  type RelayError,
  type Result,
  type ServerToClientEvents,
} from '../../relay/protocol';
import { sign, toBase64Url, type Identity } from '../crypto';

export interface LinkStatus {
  url: string;
  connected: boolean;
  lastError?: string;
}

export interface RelayLinkOptions {
  identity: Identity;
  url: string;
  /** Handles one inbound envelope; the relay forgets it only after this resolves. */
  onEnvelope(envelope: Envelope): Promise<void>;
  /** Called after every successful login (a good moment to flush the outbox). */
  onLogin?(): void;
  onStatus?(status: LinkStatus): void;
  requestTimeoutMs?: number;
}

export type SendOutcome = { ok: true } | { ok: false; error: RelayError; permanent: boolean };

type LinkSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Errors after which retrying the same envelope can never succeed. */
const PERMANENT = new Set(['bad_request', 'payload_too_large', 'recipient_invalid']);

/**
 * The agent's connection to its relay: websocket only (a service worker has no
 * XMLHttpRequest), a challenge login on every (re)connect, and acknowledged sends.
 */
export class RelayLink {
  #socket: LinkSocket | undefined;
  #status: LinkStatus;
  #loggedIn = false;
  readonly #timeout: number;

  constructor(private readonly options: RelayLinkOptions) {
    this.#status = { url: options.url, connected: false };
    this.#timeout = options.requestTimeoutMs ?? 10_000;
  }

  get status(): LinkStatus {
    return this.#status;
  }

  start(): void {
    if (this.#socket) return;
    const socket: LinkSocket = io(this.options.url, {
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
    });
    this.#socket = socket;
    socket.on('connect', () => void this.#login(socket));
    socket.on('disconnect', () => {
      this.#loggedIn = false;
      this.#setStatus({ connected: false });
    });
    socket.on('connect_error', (error) => this.#setStatus({ connected: false, lastError: error.message }));
    socket.on('relay:error', (error) => this.#setStatus({ lastError: error.code }));
    socket.on('deliver', (envelope, ack) => {
      this.options.onEnvelope(envelope).then(
        () => ack({ ok: true }),
        () => ack({ ok: false }),
      );
    });
  }

  stop(): void {
    this.#socket?.removeAllListeners();
    this.#socket?.disconnect();
    this.#socket = undefined;
    this.#loggedIn = false;
    this.#setStatus({ connected: false });
  }

  /** Points the link at another relay (settings changed). */
  retarget(url: string): void {
    if (url === this.options.url && this.#socket) return;
    this.stop();
    this.options.url = url;
    this.#status = { url, connected: false };
    this.start();
  }

  /** Nudges a dropped link back (the worker woke up, an alarm fired). */
  ensureConnected(): void {
    if (!this.#socket) this.start();
    else if (!this.#socket.connected) this.#socket.connect();
  }

  async send(id: string, to: string, payload: string): Promise<SendOutcome> {
    const socket = this.#socket;
    if (!socket || !this.#loggedIn) {
      return {
        ok: false,
        error: { code: 'not_authenticated', message: 'Not connected to the relay.' },
        permanent: false,
      };
    }
    try {
      const result = (await socket
        .timeout(this.#timeout)
        .emitWithAck('send', { id, to, payload })) as Result<{ id: string }>;
      if (result.ok) return { ok: true };
      return { ok: false, error: result.error, permanent: PERMANENT.has(result.error.code) };
    } catch {
      return {
        ok: false,
        error: { code: 'internal', message: 'The relay did not acknowledge in time.' },
        permanent: false,
      };
    }
  }

  /** The bundle to start a session with `agentId`; it takes one of its one-time prekeys. */
  async fetchPrekeyBundle(agentId: string): Promise<Result<{ bundle: PrekeyBundleWire }>> {
    return this.#request('prekeys:fetch', { agentId });
  }

  async publishPrekeys(upload: PrekeyUploadWire): Promise<Result<{ oneTimePrekeys: number }>> {
    return this.#request('prekeys:publish', upload);
  }

  async countPrekeys(): Promise<Result<{ oneTimePrekeys: number }>> {
    return this.#request('prekeys:count', {});
  }

  async #request<T>(
    event: 'prekeys:fetch' | 'prekeys:publish' | 'prekeys:count',
    payload: unknown,
  ): Promise<Result<T>> {
    const socket = this.#socket;
    if (!socket || !this.#loggedIn) {
      return { ok: false, error: { code: 'not_authenticated', message: 'Not connected to the relay.' } };
    }
    try {
      return (await (socket.timeout(this.#timeout) as unknown as Socket).emitWithAck(
        event,
        payload,
      )) as Result<T>;
    } catch {
      return { ok: false, error: { code: 'internal', message: 'The relay did not answer in time.' } };
    }
  }

  async #login(socket: LinkSocket): Promise<void> {
    try {
      const { identity } = this.options;
      const challenge = await socket.timeout(this.#timeout).emitWithAck('auth:challenge', {});
      if (!challenge.ok) throw challenge.error;
      const signature = toBase64Url(sign(identity, loginMessage(challenge.nonce, identity.agentId)));
      const login = await socket
        .timeout(this.#timeout)
        .emitWithAck('auth:login', { agentId: identity.agentId, nonce: challenge.nonce, signature });
      if (!login.ok) throw login.error;
      this.#loggedIn = true;
      this.#setStatus({ connected: true, lastError: undefined });
      this.options.onLogin?.();
    } catch (error) {
      const code = (error as RelayError | undefined)?.code ?? 'login_failed';
      this.#setStatus({ connected: false, lastError: code });
      // Retry with a fresh connection (and a fresh challenge).
      socket.disconnect();
      setTimeout(() => socket.connect(), 2000);
    }
  }

  #setStatus(patch: Partial<LinkStatus>): void {
    this.#status = { ...this.#status, ...patch };
    if (this.#status.lastError === undefined) delete this.#status.lastError;
    this.options.onStatus?.(this.#status);
  }
}
