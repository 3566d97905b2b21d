import type { Ack } from './acks';
import type { RelayError } from './errors';
import type { PrekeyUploadWire } from './prekeys';
import type {
  DeliverAck,
  Envelope,
  LoginRequest,
  PrekeyFetchRequest,
  PresenceState,
  PresenceSubscribeRequest,
  Receipt,
  RefreshRequest,
  SendRequest,
} from './schemas';

/** A success with fields `T`, or a refusal; `AckOf<E>` (acks.ts) is the exact answer of each event. */
export type Result<T> = ({ ok: true } & T) | { ok: false; error: RelayError };

/** Events a client emits; each carries an acknowledgement callback, typed by its schema in `ACKS`. */
export interface ClientToServerEvents {
  'auth:challenge': (request: Record<string, never>, ack: Ack<'auth:challenge'>) => void;
  'auth:login': (request: LoginRequest, ack: Ack<'auth:login'>) => void;
  'auth:refresh': (request: RefreshRequest, ack: Ack<'auth:refresh'>) => void;
  /** The answer carries receipts that were waiting for this connection, if any (DLV4). */
  send: (request: SendRequest, ack: Ack<'send'>) => void;
  'prekeys:publish': (request: PrekeyUploadWire, ack: Ack<'prekeys:publish'>) => void;
  'prekeys:fetch': (request: PrekeyFetchRequest, ack: Ack<'prekeys:fetch'>) => void;
  'prekeys:count': (request: Record<string, never>, ack: Ack<'prekeys:count'>) => void;
  'presence:subscribe': (request: PresenceSubscribeRequest, ack: Ack<'presence:subscribe'>) => void;
  'presence:unsubscribe': (request: PresenceSubscribeRequest, ack: Ack<'presence:unsubscribe'>) => void;
}

export type ClientEvent = keyof ClientToServerEvents;
/** What a client sends with event `E`. */
export type RequestOf<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];

/**
 * Events the relay emits. `deliver` carries a batch of envelopes, oldest first (DLV1); the mailbox
 * forgets only those the recipient names in its acknowledgement (DLV2).
 */
export interface ServerToClientEvents {
  deliver: (envelopes: Envelope[], ack: (result: DeliverAck) => void) => void;
  /**
   * The recipient acknowledged envelopes this agent sent (MBX5), batched like deliveries; sent alone
   * only when no `send` answer took them within the receipt delay (DLV4).
   */
  receipt: (receipts: Receipt[]) => void;
  /** An agent this connection subscribed to came online or went offline (PRS2). */
  presence: (state: PresenceState) => void;
  'relay:error': (error: RelayError) => void;
}

export const CLIENT_EVENTS = [
  'auth:challenge',
  'auth:login',
  'auth:refresh',
  'send',
  'prekeys:publish',
  'prekeys:fetch',
  'prekeys:count',
  'presence:subscribe',
  'presence:unsubscribe',
] as const satisfies readonly ClientEvent[];
