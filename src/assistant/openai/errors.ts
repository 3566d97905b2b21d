/**
 * Why a cloud answer was not used. The provider falls back to the built-in parser and says which of these
 * happened (AST6); the UI shows `NOTE_HINTS[note]`.
 */
export type OpenAiNote =
  | 'no-key'
  | 'unauthorized'
  | 'forbidden'
  | 'model-not-found'
  | 'rejected'
  | 'unreachable'
  | 'timeout'
  | 'rate-limited'
  | 'server-error'
  | 'malformed-reply'
  | 'local-rate-limit';

export const NOTE_HINTS: Record<OpenAiNote, string> = {
  'no-key': 'No API key is set for the model endpoint; add one in Settings → Assistant.',
  unauthorized: 'The endpoint refused the API key (401); check the key in Settings → Assistant.',
  forbidden:
    'The endpoint refused the request (403); a local server such as Ollama must allow this extension’s origin (OLLAMA_ORIGINS).',
  'model-not-found':
    'The endpoint does not know this model (404); check the model name in Settings → Assistant.',
  rejected: 'The endpoint rejected the request (400); it may not support tool calls.',
  unreachable: 'The model endpoint could not be reached; check its address and your connection.',
  timeout: 'The model endpoint took too long to answer.',
  'rate-limited': 'The model endpoint is rate limiting requests (429); try again later.',
  'server-error': 'The model endpoint failed (5xx).',
  'malformed-reply': 'The model did not answer with a valid command.',
  'local-rate-limit': 'Too many requests to the model in a short time; the built-in parser answered.',
};

/** A request the person cancelled: never replaced by a fallback answer. */
export class UnderstandingAbortedError extends Error {
  readonly code = 'aborted';
  constructor(options?: { cause?: unknown }) {
    super('Understanding was cancelled.', options);
    this.name = 'UnderstandingAbortedError';
  }
}
