import type { Socket } from 'socket.io';
import type { ChallengeAuthority } from '../auth';
import type { Delivery, DeliveryState } from '../delivery';
import type { Fanout } from '../fanout';
import type { TokenVerifier, UidBindings } from '../firebase';
import type { Intake } from '../intake';
import type { RateLimiter, RelayLimits, TokenBucket } from '../limits';
import type { Logger } from '../log';
import type { RelayMetrics } from '../observability/metrics';
import type { PrekeyStore } from '../prekeys';
import type { PresenceRegistry } from '../presence';
import type {
  Ack,
  AckErrorCode,
  ClientEvent,
  LOGGED_IN_ERRORS,
  ClientToServerEvents,
  Envelope,
  RelayError,
  RelayErrorCode,
  ServerToClientEvents,
} from '../protocol';
import type { ReceiptQueue, ReceiptState } from '../receipts';
import type { InFlight } from './in-flight';

/** What the relay keeps on a connection (nothing else: an idle connection costs only this). */
export interface SocketData extends DeliveryState, ReceiptState {
  agentId?: string;
  uid?: string;
  tokenExpiresAt?: number;
  bucket?: TokenBucket;
  watching?: Set<string>;
  loginTimer?: NodeJS.Timeout;
}

export type RelaySocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

/** A refusal, as any event's acknowledgement carries it. */
export interface Refusal<C extends RelayErrorCode> {
  readonly ok: false;
  readonly error: RelayError<C>;
}

/**
 * Everything a handler may use, made once per relay by `createRelay` and shared by every
 * connection. Handlers hold no state of their own: what belongs to a connection is in
 * `socket.data`, what belongs to the node is here.
 */
export interface RelayContext {
  readonly prekeys: PrekeyStore;
  readonly presence: PresenceRegistry;
  readonly fanout: Fanout;
  readonly bindings: UidBindings;
  /** Set → every login must carry a Firebase ID token this verifier accepts (FBA1). */
  readonly tokenVerifier: TokenVerifier | undefined;
  readonly challenges: ChallengeAuthority;
  readonly intake: Intake;
  readonly delivery: Delivery;
  readonly receipts: ReceiptQueue;
  readonly rates: RateLimiter;
  readonly inFlight: InFlight;
  readonly limits: RelayLimits;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  readonly now: () => number;
  /** Sees every envelope the relay accepts (tests check that none holds plaintext). */
  readonly observe: ((envelope: Envelope) => void) | undefined;
  /** The connections of this node in a socket.io room. */
  socketsIn(room: string): RelaySocket[];
  /** A refusal to answer with, counted by code (OBS2). */
  refused<C extends RelayErrorCode>(code: C, message?: string): Refusal<C>;
}

/** One client event's handler. It validates before it trusts and answers through `reply`. */
export interface Handler<E extends ClientEvent> {
  /**
   * Runs only on a logged-in connection whose token (if the relay needs one) has not expired;
   * only events whose answers list those refusals (LOGGED_IN_ERRORS) can ask for it.
   */
  readonly needsLogin: (typeof LOGGED_IN_ERRORS)[number] extends AckErrorCode<E> ? boolean : false;
  handle(ctx: RelayContext, socket: RelaySocket, payload: unknown, reply: Ack<E>): Promise<void>;
}

export const agentRoom = (agentId: string) => `agent:${agentId}`;
export const presenceRoom = (agentId: string) => `presence:${agentId}`;

/** The first schema issue, for the refusal's message (bounded: it echoes nothing long). */
export function firstIssue(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string {
  const first = error.issues[0];
  if (!first) return 'The request does not match the relay protocol.';
  const where = first.path.length ? first.path.map(String).join('.') : 'request';
  return `${where}: ${first.message}`.slice(0, 200);
}
