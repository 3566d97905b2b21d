import { io, type Socket } from 'socket.io-client';
import {
  loginMessage,
  parseAck,
  type AckOf,
  type ClientEvent,
  type ClientToServerEvents,
  type Envelope,
  type PrekeyUploadWire,
  type RelayError,
  type ServerToClientEvents,
} from '../../relay/protocol';
import { sign, toBase64Url, type Identity } from '../crypto';
import { createLogger, errorFields } from '../log';
import { tokenTimes } from './firebase-token';

const log = createLogger('link');

export interface LinkStatus {
  url: string;
  connected: boolean;
  /**
   * Why the link is not (fully) working: a relay error code, or `firebase_token_unavailable` when the
   * person is signed in but no fresh token could be had (Firebase unreachable).
   */
  lastError?: string;
}

/**
 * Where the link gets a Firebase ID token for the relay (FBA1, FBA6): `undefined` when the person is
 * not signed in (or Firebase is off); `force` asks for a freshly minted token. Throws when a token
 * cannot be had right now.
 */
export type FirebaseTokenSource = (force: boolean) => Promise<string | undefined>;

export interface RelayLinkOptions {
  identity: Identity;
  url: string;
  /** Handles one inbound envelope; the relay forgets it only after this resolves. */
  onEnvelope(envelope: Envelope): Promise<void>;
  /** Called after every successful login (a good moment to flush the outbox). */
  onLogin?(): void;
  onStatus?(status: LinkStatus): void;
  requestTimeoutMs?: number;
  firebaseToken?: FirebaseTokenSource;
  /** The relay's copy of the token is refreshed when this little of its life is left (FBA7). */
  tokenRefreshMarginMs?: number;
  /** The link's clock, for scheduling refreshes (tests move it). */
  now?: () => number;
}

export type SendOutcome = { ok: true } | { ok: false; error: RelayError; permanent: boolean };

type LinkSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Emits one request on a socket with a deadline. socket.io's generics check the event's payload and
 * type the answer it claims; `#ask` checks the answer really is that.
 */
type Emit<E extends ClientEvent> = (socket: ReturnType<LinkSocket['timeout']>) => Promise<AckOf<E>>;

/** Requests that need a login: refused while the link is not logged in, retried once after a refresh (FBA8). */
type LoggedInRequest = 'send' | 'prekeys:fetch' | 'prekeys:publish' | 'prekeys:count';

/** What the link answers in the relay's stead when the relay cannot be asked… */
const NOT_CONNECTED = {
  ok: false,
  error: { code: 'not_authenticated', message: 'Not connected to the relay.' },
} as const;
/** …or gave no answer in time, or one that does not match the protocol (not permanent: it is retried). */
const UNANSWERED = {
  ok: false,
  error: { code: 'internal', message: 'The relay did not answer in time.' },
} as const;

/**
 * Errors after which retrying the same envelope can never succeed. Everything else — including
 * `firebase_token_required` and `firebase_token_expired` (FBA9) — leaves the envelope in the outbox.
 */
const PERMANENT = new Set(['bad_request', 'payload_too_large', 'recipient_invalid']);

export const isPermanentRefusal = (code: string): boolean => PERMANENT.has(code);

/** Login refusals only the person can mend (sign in, or with the right account): no retry loop. */
const WAIT_FOR_PERSON = new Set(['firebase_token_required', 'firebase_uid_mismatch']);

/** Firebase ID tokens live an hour; the relay's copy is renewed with 10 minutes to go. */
export const DEFAULT_TOKEN_REFRESH_MARGIN_MS = 10 * 60_000;

const LOGIN_RETRY_MS = 2000;
const LOGIN_RETRY_MAX_MS = 30_000;
/** When Firebase cannot mint a token, try again this much later (the relay's copy is still valid). */
const REFRESH_RETRY_MS = 60_000;

/*
 * The agent's connection to its relay: websocket only (a service worker has no
 * XMLHttpRequest), a challenge login on every (re)connect, and acknowledged sends.
 *
 * With a Firebase token source, the login also carries an ID token, and the relay's copy is kept fresh
 * on the same connection:
 *
 *   connect ──login {token}──▶ LOGGED IN ──(≤ margin left: timer or minute alarm)──▶ auth:refresh {fresh}
 *      ▲                        │   ▲                                                    │ ok: same connection,
 *      │                        │   └────────────────────────────────────────────────────┘ new expiry
 *      │                        │ a request refused `firebase_token_expired` → refresh, then retry it once
 *      └── relogin ◀────────────┴── refresh refused / no token (signed out) / the person signed in or out
 *
 *   login refused `firebase_token_required` or `firebase_uid_mismatch`: wait for the person (sign-in →
 *   relogin) or the minute alarm (ensureConnected); other refusals retry with backoff.
 */
export class RelayLink {
  #socket: LinkSocket | undefined;
  #status: LinkStatus;
  #loggedIn = false;
  readonly #timeout: number;
  readonly #margin: number;
  readonly #now: () => number;
  /** When the token the relay holds for this connection expires (its `exp`, ms), if it holds one. */
  #tokenExpiresAt: number | undefined;
  /**
   * When to refresh it, by this link's clock: its lifetime (`exp - iat`) less the margin, counted from
   * when the link got it. Counting from receipt keeps a device whose clock is off from refreshing in a
   * loop (or too late); the relay's own clock still decides expiry (FBA5).
   */
  #refreshDueAt: number | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshing: Promise<boolean> | undefined;
  /** The next login asks Firebase for a freshly minted token (the last one was refused). */
  #forceToken = false;
  #loginFailures = 0;
  /** Bumped at every connect and disconnect: work begun for an older connection is dropped. */
  #connection = 0;

  constructor(private readonly options: RelayLinkOptions) {
    this.#status = { url: options.url, connected: false };
    this.#timeout = options.requestTimeoutMs ?? 10_000;
    this.#margin = options.tokenRefreshMarginMs ?? DEFAULT_TOKEN_REFRESH_MARGIN_MS;
    this.#now = options.now ?? Date.now;
  }

  get status(): LinkStatus {
    return this.#status;
  }

  /** When the relay's copy of the Firebase token expires (undefined: none, or the relay needs none). */
  get tokenExpiresAt(): number | undefined {
    return this.#tokenExpiresAt;
  }

  start(): void {
    if (this.#socket) return;
    const socket: LinkSocket = io(this.options.url, {
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
    });
    this.#socket = socket;
    socket.on('connect', () => void this.#login(socket, ++this.#connection));
    socket.on('disconnect', () => {
      this.#connection++;
      this.#loggedIn = false;
      this.#relayHolds(undefined);
      this.#setStatus({ connected: false });
    });
    socket.on('connect_error', (error) => this.#setStatus({ connected: false, lastError: error.message }));
    socket.on('relay:error', (error) => this.#setStatus({ lastError: error.code }));
    // A batch of envelopes, oldest first (DLV1); the answer names those handled and kept (DLV2), and
    // the relay offers the rest again.
    socket.on('deliver', (envelopes, ack) => {
      void this.#deliver(Array.isArray(envelopes) ? envelopes : []).then((acked) => ack({ acked }));
    });
  }

  async #deliver(envelopes: readonly Envelope[]): Promise<string[]> {
    const acked: string[] = [];
    for (const envelope of envelopes) {
      try {
        await this.options.onEnvelope(envelope);
        acked.push(envelope.id);
      } catch (error) {
        // Not acknowledged: the relay keeps it and offers it again.
        log.warn('envelope_not_handled', errorFields(error));
      }
    }
    return acked;
  }

  stop(): void {
    clearTimeout(this.#retryTimer);
    this.#relayHolds(undefined);
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

  /**
   * Logs in again on a fresh connection (the person signed in or out, Firebase settings changed).
   * What was in flight fails as not sent, and the outbox sends it again after the login (FBA8).
   */
  relogin(): void {
    const socket = this.#socket;
    if (!socket) return;
    clearTimeout(this.#retryTimer);
    this.#loggedIn = false;
    this.#relayHolds(undefined);
    socket.disconnect();
    socket.connect();
  }

  /**
   * Sends the relay a fresh token when its copy has `margin` or less to live (FBA7). Timers die with
   * an MV3 worker, so the runtime's minute alarm calls this as well as the link's own timer.
   */
  async refreshTokenIfDue(): Promise<void> {
    const dueAt = this.#refreshDueAt;
    if (dueAt === undefined || !this.#loggedIn) return;
    const wait = dueAt - this.#now();
    if (wait > 0) return this.#armRefresh(wait);
    await this.#refresh();
  }

  async send(id: string, to: string, payload: string): Promise<SendOutcome> {
    const result = await this.#request('send', (s) => s.emitWithAck('send', { id, to, payload }));
    if (result.ok) return { ok: true };
    return { ok: false, error: result.error, permanent: isPermanentRefusal(result.error.code) };
  }

  /** The bundle to start a session with `agentId`; it takes one of its one-time prekeys. */
  async fetchPrekeyBundle(agentId: string): Promise<AckOf<'prekeys:fetch'>> {
    return this.#request('prekeys:fetch', (s) => s.emitWithAck('prekeys:fetch', { agentId }));
  }

  async publishPrekeys(upload: PrekeyUploadWire): Promise<AckOf<'prekeys:publish'>> {
    return this.#request('prekeys:publish', (s) => s.emitWithAck('prekeys:publish', upload));
  }

  async countPrekeys(): Promise<AckOf<'prekeys:count'>> {
    return this.#request('prekeys:count', (s) => s.emitWithAck('prekeys:count', {}));
  }

  /**
   * A request on the logged-in connection. FBA8: refused `firebase_token_expired` because the relay's
   * token ran out before we refreshed it, it is retried once after a refresh on this connection.
   */
  async #request<E extends LoggedInRequest>(
    event: E,
    emit: Emit<E>,
  ): Promise<AckOf<E> | typeof NOT_CONNECTED | typeof UNANSWERED> {
    const first = await this.#requestOnce(event, emit);
    if (!first.ok && first.error.code === 'firebase_token_expired' && (await this.#refresh())) {
      return this.#requestOnce(event, emit);
    }
    return first;
  }

  async #requestOnce<E extends LoggedInRequest>(
    event: E,
    emit: Emit<E>,
  ): Promise<AckOf<E> | typeof NOT_CONNECTED | typeof UNANSWERED> {
    const socket = this.#socket;
    if (!socket || !this.#loggedIn) return NOT_CONNECTED;
    return (await this.#ask(socket, event, emit)) ?? UNANSWERED;
  }

  /**
   * Emits `event` and reads the relay's answer with the event's acknowledgement schema (the relay is a
   * boundary: socket.io's types say what it should send, not what it sent). Undefined when no answer
   * came in time, or one that is not the protocol's.
   */
  async #ask<E extends ClientEvent>(
    socket: LinkSocket,
    event: E,
    emit: Emit<E>,
  ): Promise<AckOf<E> | undefined> {
    let answer: unknown;
    try {
      answer = await emit(socket.timeout(this.#timeout));
    } catch {
      return undefined; // no answer in time
    }
    const parsed = parseAck(event, answer);
    return parsed.success ? parsed.data : undefined;
  }

  async #login(socket: LinkSocket, connection: number): Promise<void> {
    const current = () => socket === this.#socket && connection === this.#connection;
    // Whatever else goes wrong (a key that cannot sign) fails this login like no answer would.
    const login = await this.#attemptLogin(socket).catch((error: unknown) => {
      log.warn('login_attempt_failed', errorFields(error));
      return { ok: false, code: 'login_failed' } as const;
    });
    if (!current()) return; // stopped, dropped or relogged in meanwhile
    if (login.ok) {
      this.#loggedIn = true;
      this.#forceToken = false;
      this.#loginFailures = 0;
      this.#relayHolds(login.firebaseToken);
      this.#setStatus({ connected: true, lastError: undefined });
      this.options.onLogin?.();
      return;
    }
    const { code } = login;
    // The status (and so the popup) says why; the log keeps the code for Diagnostics.
    log.warn('login_failed', { code, failures: this.#loginFailures });
    this.#setStatus({ connected: false, lastError: code });
    // A refused token may be a stale cached one: ask Firebase for a new one next time.
    if (code === 'firebase_token_expired' || code === 'firebase_token_invalid') this.#forceToken = true;
    socket.disconnect();
    // FBA6: only the person can mend these; their sign-in (relogin) or the minute alarm tries again.
    if (WAIT_FOR_PERSON.has(code)) return;
    // Retry with a fresh connection (and a fresh challenge), backing off while it keeps failing.
    const delay = Math.min(LOGIN_RETRY_MS * 2 ** this.#loginFailures++, LOGIN_RETRY_MAX_MS);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (socket === this.#socket && !socket.connected) socket.connect();
    }, delay);
  }

  /**
   * Challenge, signature and login (AUTH1), with the person's Firebase ID token when there is one. The
   * failure is the relay's code, `firebase_token_unavailable` (no token could be had), or
   * `login_failed` (no answer in time, or one outside the protocol).
   */
  async #attemptLogin(
    socket: LinkSocket,
  ): Promise<{ ok: true; firebaseToken: string | undefined } | { ok: false; code: string }> {
    const { identity, firebaseToken: tokenSource } = this.options;
    let firebaseToken: string | undefined;
    try {
      // The token first: a slow token must not let the challenge expire.
      firebaseToken = await tokenSource?.(this.#forceToken);
    } catch (error) {
      // Firebase unreachable or the session gone: handled like a refusal of the login.
      log.warn('firebase_token_unavailable', errorFields(error));
      return { ok: false, code: 'firebase_token_unavailable' };
    }
    const challenge = await this.#ask(socket, 'auth:challenge', (s) => s.emitWithAck('auth:challenge', {}));
    if (!challenge?.ok) return { ok: false, code: challenge?.error.code ?? 'login_failed' };
    const signature = toBase64Url(sign(identity, loginMessage(challenge.nonce, identity.agentId)));
    const login = await this.#ask(socket, 'auth:login', (s) =>
      s.emitWithAck('auth:login', {
        agentId: identity.agentId,
        nonce: challenge.nonce,
        signature,
        ...(firebaseToken ? { firebaseToken } : {}),
      }),
    );
    if (!login?.ok) return { ok: false, code: login?.error.code ?? 'login_failed' };
    return { ok: true, firebaseToken };
  }

  /** One refresh at a time; true when the relay accepted a fresh token on this connection. */
  #refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<boolean> {
    const socket = this.#socket;
    const connection = this.#connection;
    const current = () => socket === this.#socket && connection === this.#connection && this.#loggedIn;
    if (!socket || !this.#loggedIn || !this.options.firebaseToken) return false;
    let firebaseToken: string | undefined;
    try {
      firebaseToken = await this.options.firebaseToken(true);
    } catch (error) {
      // Firebase unreachable: the relay's copy may still be good; try again a little later.
      log.warn('token_refresh_failed', errorFields(error));
      this.#setStatus({ lastError: 'firebase_token_unavailable' });
      this.#armRefresh(REFRESH_RETRY_MS);
      return false;
    }
    if (!current()) return false;
    if (!firebaseToken) {
      // Signed out meanwhile: log in again without a token (the relay says whether it needs one).
      this.relogin();
      return false;
    }
    const result = await this.#ask(socket, 'auth:refresh', (s) =>
      s.emitWithAck('auth:refresh', { firebaseToken }),
    );
    // No answer: the connection is in trouble; socket.io reconnects and logs in again.
    if (!result || !current()) return false;
    if (!result.ok) {
      // FBA8: refused (expired, invalid, another account): log in again from scratch with a fresh token.
      this.#forceToken = true;
      this.relogin();
      return false;
    }
    // A relay without Firebase answers 0: it holds no token, so there is nothing to keep fresh.
    this.#relayHolds(result.expiresAt ? firebaseToken : undefined);
    if (this.#status.lastError?.startsWith('firebase_')) this.#setStatus({ lastError: undefined });
    return true;
  }

  /** The relay now holds `token` (or none): schedule its refresh. */
  #relayHolds(token: string | undefined): void {
    const times = token ? tokenTimes(token) : undefined;
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#tokenExpiresAt = times?.expiresAt;
    this.#refreshDueAt = times && this.#now() + (times.expiresAt - times.issuedAt) - this.#margin;
    if (this.#refreshDueAt !== undefined) this.#armRefresh(this.#refreshDueAt - this.#now());
  }

  #armRefresh(delayMs: number): void {
    clearTimeout(this.#refreshTimer);
    // Clamped: a delay past 2^31 ms would fire at once. Tokens live an hour; the timer re-arms itself.
    const delay = Math.min(Math.max(0, delayMs), 24 * 3600_000);
    this.#refreshTimer = setTimeout(() => void this.refreshTokenIfDue(), delay);
  }

  #setStatus(patch: Partial<LinkStatus>): void {
    this.#status = { ...this.#status, ...patch };
    if (this.#status.lastError === undefined) delete this.#status.lastError;
    this.options.onStatus?.(this.#status);
  }
}
