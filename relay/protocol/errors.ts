/**
 * Every refusal the relay sends is one of these codes, with a message that says
 * what to do. Clients switch on `code`; the message is for people.
 */
export const RELAY_ERROR_CODES = [
  'bad_request',
  'unknown_event',
  'not_authenticated',
  'already_authenticated',
  'challenge_unknown',
  'challenge_expired',
  'challenge_replayed',
  'bad_signature',
  'payload_too_large',
  'recipient_invalid',
  'rate_limited',
  'mailbox_full',
  'prekeys_not_found',
  'agent_mismatch',
  'firebase_token_required',
  'firebase_token_invalid',
  'firebase_token_expired',
  'firebase_uid_mismatch',
  'origin_refused',
  'too_many_connections',
  'unavailable',
  'internal',
] as const;

export type RelayErrorCode = (typeof RELAY_ERROR_CODES)[number];

export interface RelayError<C extends RelayErrorCode = RelayErrorCode> {
  readonly code: C;
  readonly message: string;
}

export const RELAY_ERROR_HINTS: Record<RelayErrorCode, string> = {
  bad_request: 'The event payload does not match the relay protocol; update the extension.',
  unknown_event: 'The relay does not know this event; update the extension.',
  not_authenticated: 'Log in with auth:challenge and auth:login before sending.',
  already_authenticated: 'This connection is already logged in.',
  challenge_unknown: 'Ask for a fresh challenge with auth:challenge and sign it.',
  challenge_expired: 'The challenge expired; ask for a fresh one and sign it promptly.',
  challenge_replayed: 'A challenge can be used once; ask for a fresh one.',
  bad_signature: 'The signature does not match the agent id; sign with the agent identity key.',
  payload_too_large: 'The envelope is larger than the relay accepts; split the message.',
  recipient_invalid: 'The recipient is not a valid agent id.',
  rate_limited: 'Too many requests; slow down and retry later.',
  mailbox_full:
    "The recipient's mailbox is full (too many or too large waiting envelopes); retry later, once it has drained.",
  prekeys_not_found: 'That agent has published no prekeys; ask it to come online once, then retry.',
  agent_mismatch: 'An agent may publish only its own prekeys; log in as that agent.',
  firebase_token_required:
    'This relay needs a Firebase ID token in auth:login (firebaseToken); sign in first.',
  firebase_token_invalid: 'The Firebase ID token was refused; sign in again and send a fresh token.',
  firebase_token_expired:
    'The Firebase ID token expired; refresh it and send it with auth:refresh or a new login.',
  firebase_uid_mismatch:
    'This agent is bound to another Firebase account; sign in with the account that first used it.',
  origin_refused:
    "The relay does not accept connections from this origin; add the extension's origin to RELAY_ALLOWED_ORIGINS.",
  too_many_connections: 'The relay has too many connections (for this server or this agent); retry later.',
  unavailable: 'The relay is shutting down or cannot reach its store; reconnect and retry.',
  internal: 'The relay failed unexpectedly; retry later.',
};

export const relayError = <C extends RelayErrorCode>(
  code: C,
  message: string = RELAY_ERROR_HINTS[code],
): RelayError<C> => ({ code, message });
