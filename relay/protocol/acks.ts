import { z } from 'zod';
import type { RelayErrorCode } from './errors';
import type { ClientToServerEvents } from './events';
import { prekeyBundleWireSchema } from './prekeys';
import { AgentId, ChallengeResponse, EnvelopeId, PresenceState, Receipt } from './schemas';

type ClientEvent = keyof ClientToServerEvents;

/** Refusals any request can get before (or instead of) its handler: shutting down, too fast, a store down, a bug. */
export const ANY_REQUEST_ERRORS = ['rate_limited', 'unavailable', 'internal'] as const;
/** Refusals any request that needs a login can get before its handler (AUTH, FBA5). */
export const LOGGED_IN_ERRORS = ['not_authenticated', 'firebase_token_expired'] as const;

/**
 * The codes each event's acknowledgement may carry, besides ANY_REQUEST_ERRORS. A client can switch
 * on them exhaustively; the relay's handlers cannot answer a code their event does not list.
 */
export const ACK_ERRORS = {
  'auth:challenge': ['bad_request'],
  'auth:login': [
    'bad_request',
    'already_authenticated',
    'challenge_unknown',
    'challenge_expired',
    'challenge_replayed',
    'bad_signature',
    'firebase_token_required',
    'firebase_token_invalid',
    'firebase_token_expired',
    'firebase_uid_mismatch',
    'too_many_connections',
  ],
  'auth:refresh': [
    'not_authenticated',
    'bad_request',
    'firebase_token_invalid',
    'firebase_token_expired',
    'firebase_uid_mismatch',
  ],
  send: [...LOGGED_IN_ERRORS, 'bad_request', 'payload_too_large', 'mailbox_full'],
  'prekeys:publish': [...LOGGED_IN_ERRORS, 'bad_request', 'agent_mismatch', 'bad_signature'],
  'prekeys:fetch': [...LOGGED_IN_ERRORS, 'bad_request', 'prekeys_not_found'],
  'prekeys:count': [...LOGGED_IN_ERRORS, 'bad_request'],
  'presence:subscribe': [...LOGGED_IN_ERRORS, 'bad_request'],
  'presence:unsubscribe': [...LOGGED_IN_ERRORS, 'bad_request'],
} as const satisfies Record<ClientEvent, readonly RelayErrorCode[]>;

/** `{ ok: true, …fields }` or `{ ok: false, error: { code, message } }` with one of `codes`. */
function answer<const Ok extends z.ZodRawShape, const Codes extends readonly RelayErrorCode[]>(
  ok: Ok,
  codes: Codes,
) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), ...ok }),
    z.object({
      ok: z.literal(false),
      error: z.object({ code: z.enum([...ANY_REQUEST_ERRORS, ...codes]), message: z.string() }),
    }),
  ]);
}

const oneTimePrekeys = z.number().int().min(0);

/**
 * What the relay answers each client event with: the acknowledgement's schema, defined once for
 * both ends. The relay's handlers are typed by it (`AckOf<E>`); the extension validates every
 * answer with it, since the relay is a boundary. Unknown fields of a success are dropped.
 */
export const ACKS = {
  'auth:challenge': answer(ChallengeResponse.shape, ACK_ERRORS['auth:challenge']),
  'auth:login': answer({ agentId: AgentId }, ACK_ERRORS['auth:login']),
  /** `expiresAt` 0: the relay needs no Firebase token and holds none. */
  'auth:refresh': answer({ expiresAt: z.number() }, ACK_ERRORS['auth:refresh']),
  /** Receipts that were waiting for this connection ride on the answer (DLV4). */
  send: answer({ id: EnvelopeId, receipts: z.array(Receipt).optional() }, ACK_ERRORS.send),
  'prekeys:publish': answer({ oneTimePrekeys }, ACK_ERRORS['prekeys:publish']),
  'prekeys:fetch': answer({ bundle: prekeyBundleWireSchema }, ACK_ERRORS['prekeys:fetch']),
  'prekeys:count': answer({ oneTimePrekeys }, ACK_ERRORS['prekeys:count']),
  'presence:subscribe': answer({ presence: z.array(PresenceState) }, ACK_ERRORS['presence:subscribe']),
  'presence:unsubscribe': answer({}, ACK_ERRORS['presence:unsubscribe']),
} satisfies Record<ClientEvent, z.ZodType>;

/** The acknowledgement of client event `E`. */
export type AckOf<E extends ClientEvent> = z.infer<(typeof ACKS)[E]>;
/** Its error codes. */
export type AckErrorCode<E extends ClientEvent> = Extract<AckOf<E>, { ok: false }>['error']['code'];
/** The callback a client passes with event `E`. */
export type Ack<E extends ClientEvent> = (result: AckOf<E>) => void;

const SCHEMAS: { readonly [E in ClientEvent]: z.ZodType<AckOf<E>> } = ACKS;

/**
 * Reads an answer that came from the network as event `E`'s acknowledgement; a client calls this
 * on every answer instead of trusting socket.io's types.
 */
export function parseAck<E extends ClientEvent>(event: E, answer: unknown): z.ZodSafeParseResult<AckOf<E>> {
  return SCHEMAS[event].safeParse(answer);
}
