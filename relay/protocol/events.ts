import type { RelayError } from './errors';
import type { PrekeyBundleWire, PrekeyUploadWire } from './prekeys';
import type {
  ChallengeResponse,
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

export type Result<T> = ({ ok: true } & T) | { ok: false; error: RelayError };
export type Ack<T> = (result: Result<T>) => void;

/** Events a client emits; each carries an acknowledgement callback. */
export interface ClientToServerEvents {
  'auth:challenge': (request: Record<string, never>, ack: Ack<ChallengeResponse>) => void;
  'auth:login': (request: LoginRequest, ack: Ack<{ agentId: string }>) => void;
  'auth:refresh': (request: RefreshRequest, ack: Ack<{ expiresAt: number }>) => void;
  /** The answer carries receipts that were waiting for this connection, if any (DLV4). */
  send: (request: SendRequest, ack: Ack<{ id: string; receipts?: Receipt[] }>) => void;
  'prekeys:publish': (request: PrekeyUploadWire, ack: Ack<{ oneTimePrekeys: number }>) => void;
  'prekeys:fetch': (request: PrekeyFetchRequest, ack: Ack<{ bundle: PrekeyBundleWire }>) => void;
  'prekeys:count': (request: Record<string, never>, ack: Ack<{ oneTimePrekeys: number }>) => void;
  'presence:subscribe': (request: PresenceSubscribeRequest, ack: Ack<{ presence: PresenceState[] }>) => void;
  'presence:unsubscribe': (request: PresenceSubscribeRequest, ack: Ack<object>) => void;
}

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
] as const satisfies readonly (keyof ClientToServerEvents)[];
