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
  'internal',
] as const;

export type RelayErrorCode = (typeof RELAY_ERROR_CODES)[number];

export interface RelayError {
  readonly code: RelayErrorCode;
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
  internal: 'The relay failed unexpectedly; retry later.',
};

export const relayError = (code: RelayErrorCode, message = RELAY_ERROR_HINTS[code]): RelayError => ({
  code,
  message,
});
