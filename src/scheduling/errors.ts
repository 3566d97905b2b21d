export type SchedulingErrorCode =
  'invalid_time_zone' | 'invalid_window' | 'invalid_preferences' | 'invalid_request' | 'crypto_not_ready';

/** Thrown only for caller mistakes (bad arguments); peer input never throws, it gets a typed rejection. */
export class SchedulingError extends Error {
  override readonly name = 'SchedulingError';
  constructor(
    readonly code: SchedulingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
