import type { RelayError } from './errors';
import type { ChallengeResponse, Envelope, LoginRequest, SendRequest } from './schemas';

export type Result<T> = ({ ok: true } & T) | { ok: false; error: RelayError };
export type Ack<T> = (result: Result<T>) => void;

/** Events a client emits; each carries an acknowledgement callback. */
export interface ClientToServerEvents {
  'auth:challenge': (request: Record<string, never>, ack: Ack<ChallengeResponse>) => void;
  'auth:login': (request: LoginRequest, ack: Ack<{ agentId: string }>) => void;
  send: (request: SendRequest, ack: Ack<{ id: string }>) => void;
}

/** Events the relay emits. `deliver` must be acknowledged before the mailbox forgets the envelope. */
export interface ServerToClientEvents {
  deliver: (envelope: Envelope, ack: (result: { ok: boolean }) => void) => void;
  'relay:error': (error: RelayError) => void;
}

export const CLIENT_EVENTS = [
  'auth:challenge',
  'auth:login',
  'send',
] as const satisfies readonly (keyof ClientToServerEvents)[];
